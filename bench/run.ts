/**
 * Benchmark runner: `npm run bench -- <name> [-- args]` loads `bench/<name>.ts`, calls its
 * `run(args)` and prints the one JSON object it returns. Each benchmark owns its settings and processes.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

type Bench = { run(args: string[]): Promise<Record<string, unknown>> };

const dir = fileURLToPath(new URL('.', import.meta.url));

async function available(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = await available();
  if (name === undefined || name === '--help' || !names.includes(name)) {
    console.error(`Usage: npm run bench -- <name> [-- args]\nBenchmarks: ${names.join(', ') || '(none)'}`);
    return name === '--help' ? 0 : 2;
  }
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const mod = (await import(`./${name}.ts`)) as Partial<Bench>;
  if (typeof mod.run !== 'function') {
    console.error(`bench/${name}.ts does not export run(args)`);
    return 2;
  }
  console.log(JSON.stringify(await mod.run(args)));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
