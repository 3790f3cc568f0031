// `npm test`'s checks before the tests: the type check, lint and format check, run at the same time
// (each is one single-threaded process, so on two cores together they take about as long as the
// slowest alone, not the sum). Each one's output is printed whole when it ends, under its name; the
// exit status is 1 when any failed. The same checks one at a time: npm run typecheck, lint, format:check.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHECKS = [
  ['typecheck', 'tsc', ['--noEmit']],
  ['lint', 'eslint', ['.', '--max-warnings=0']],
  ['format:check', 'prettier', ['--check', '.']],
];

function run([name, bin, args]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(join(root, 'node_modules', '.bin', bin), args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('error', (e) => {
      out.push(Buffer.from(`${e.message}\n`));
    });
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      const text = Buffer.concat(out).toString().trimEnd();
      console.log(`> ${name} (${bin} ${args.join(' ')}): ${code === 0 ? 'ok' : 'FAILED'} in ${seconds} s`);
      if (text !== '') console.log(text);
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(CHECKS.map(run));
process.exitCode = results.every(Boolean) ? 0 : 1;
