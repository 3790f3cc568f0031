/**
 * The import rules of docs/architecture.md, enforced. Every relative import in src/ (static, type-only,
 * `export … from` and dynamic `import()`, as TypeScript's own pre-processor reads them) is resolved to
 * the file it names and checked:
 *
 * - the role folders src/workers, src/schedulers and src/producers only wire things: nothing imports
 *   them but src/runtime.ts (the composition root) and files inside the same folder;
 * - src/lrs, the LRS client, stands alone: what it imports, followed through every file it reaches,
 *   stays inside src/lrs, src/codes and src/xml, plus src/errors.ts (errorMessage, which imports nothing);
 * - src/codes imports nothing from src/lrs (the client imports the codes, not the other way round);
 * - the subject folders form layers (LAYERS, lowest first): a file imports its own folder and the
 *   layers below it, never a folder of its own layer or above, so the folders form no loop;
 * - the queue library (bullmq) is imported only by the queue layer (src/queues/) and the role wiring
 *   (src/workers, src/schedulers, src/producers, src/runtime.ts): the subject folders return values and
 *   throw typed steps, and read queues through interfaces the queue layer implements.
 *
 * Tests and benchmarks may import anything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Posix path relative to the repository root. */
const rel = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

/** Module specifiers of a TypeScript source: imports, re-exports, dynamic imports. */
function allSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Relative module specifiers of a TypeScript source: imports, re-exports, dynamic imports. */
export function importSpecifiers(source: string): string[] {
  return allSpecifiers(source).filter((s) => s.startsWith('.'));
}

/** The packages a TypeScript source imports (`bullmq`, `@bull-board/api`, `node:fs`), subpaths dropped. */
export function packageImports(source: string): string[] {
  return allSpecifiers(source)
    .filter((s) => !s.startsWith('.'))
    .map((s) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

/** The repository file an import names, relative to the root (`./x.js` also finds `x.ts`). */
function resolveImport(fromFile: string, specifier: string): string {
  const abs = resolve(dirname(join(ROOT, fromFile)), specifier);
  for (const candidate of [abs, abs.replace(/\.js$/, '.ts'), `${abs}.ts`, join(abs, 'index.ts')]) {
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return rel(candidate);
  }
  return rel(abs);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(e.name) ? [path] : [];
  });
}

export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** file → the files it imports, for every source file under src/. */
function readGraph(): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    const specs = importSpecifiers(readFileSync(join(ROOT, file), 'utf8'));
    graph.set(
      file,
      specs.map((s) => resolveImport(file, s)),
    );
  }
  return graph;
}

const inFolder = (file: string, folder: string): boolean => file.startsWith(`${folder}/`);

/** file → the packages it imports, for every source file under src/. */
function readPackageImports(): ImportGraph {
  return new Map(
    sourceFiles('src').map((file) => [file, packageImports(readFileSync(join(ROOT, file), 'utf8'))]),
  );
}

/** `importer → package` for every import of `pkg` from a file outside `allowed` (folders, or files named exactly). */
export function packageImportsOutside(
  packages: ImportGraph,
  pkg: string,
  allowed: readonly string[],
): string[] {
  const out: string[] = [];
  for (const [file, imported] of packages) {
    if (allowed.some((a) => file === a || inFolder(file, a))) continue;
    if (imported.includes(pkg)) out.push(`${file} → ${pkg}`);
  }
  return out;
}

/**
 * The layers of src/, lowest first. A unit is a folder (`src/db`) or a file at the root of src
 * (`src/log.ts`); a file may import files of its own unit and of lower layers, never of another unit
 * of its own layer or of a higher one. The drizzle schema (db/schema.ts, beside src/) lies below them all.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['src/xml', 'src/errors.ts', 'src/timeout.ts', 'src/personal-data.ts'],
  ['src/codes'],
  ['src/lrs'],
  ['src/config.ts', 'src/log.ts', 'src/queues'],
  ['src/metrics.ts', 'src/db'],
  ['src/orgs', 'src/requests', 'src/processes'],
  ['src/batches', 'src/import', 'src/support', 'src/simulator'],
  ['src/workers', 'src/schedulers', 'src/producers'],
  ['src/runtime.ts'],
  ['src/demo'],
  ['src/cli'],
];

/** The unit of a file under src/: its folder below src (`src/db`), or the file itself at the root of src. */
export function unitOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

/**
 * Every import in src/ that runs sideways or up the layers (`importer → imported (layer a → layer b)`),
 * and every file whose unit has no layer. Imports of files outside src/ are not layered.
 */
export function layerViolations(graph: ImportGraph, layers: readonly (readonly string[])[]): string[] {
  const layerOf = (file: string): number => layers.findIndex((l) => l.includes(unitOf(file)));
  const out: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    if (from < 0) {
      out.push(`${file}: ${unitOf(file)} has no layer`);
      continue;
    }
    for (const target of imports) {
      if (!inFolder(target, 'src') || unitOf(target) === unitOf(file)) continue;
      const to = layerOf(target);
      if (to >= from) out.push(`${file} → ${target} (layer ${from} → ${to})`);
    }
  }
  return out;
}

/** Where the queue library may be imported: the queue layer and the role wiring. */
const MAY_IMPORT_BULLMQ = ['src/queues', 'src/runtime.ts', 'src/workers', 'src/schedulers', 'src/producers'];

/** `importer → imported` for every import of a role folder from outside it, other than the composition root. */
export function roleFolderViolations(graph: ImportGraph, roleFolders: readonly string[]): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      const folder = roleFolders.find((f) => inFolder(target, f));
      if (folder && !inFolder(file, folder) && file !== 'src/runtime.ts') out.push(`${file} → ${target}`);
    }
  }
  return out;
}

/** What the LRS client may reach: its own folder, the codes, the XML parser and errorMessage. */
const LRS_MAY_REACH = ['src/lrs', 'src/codes', 'src/xml', 'src/errors.ts'];

/**
 * Every file reachable from `folder` through imports that lies outside `allowed` (folders, or files
 * named exactly), with the chain that reaches it (so a file in an allowed folder that pulls in the rest
 * of the app is caught too).
 */
export function reachableOutside(graph: ImportGraph, folder: string, allowed: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack: { file: string; chain: string[] }[] = [...graph.keys()]
    .filter((f) => inFolder(f, folder))
    .map((file) => ({ file, chain: [file] }));
  while (stack.length > 0) {
    const { file, chain } = stack.pop() as { file: string; chain: string[] };
    if (seen.has(file)) continue;
    seen.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!allowed.some((a) => target === a || inFolder(target, a))) out.push([...chain, target].join(' → '));
      else if (!seen.has(target)) stack.push({ file: target, chain: [...chain, target] });
    }
  }
  return out;
}

/** `importer → imported` for every import from a file in `from` of a file in `to`. */
export function importsBetween(graph: ImportGraph, from: string, to: string): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    if (!inFolder(file, from)) continue;
    for (const target of imports) if (inFolder(target, to)) out.push(`${file} → ${target}`);
  }
  return out;
}

const ROLE_FOLDERS = ['src/workers', 'src/schedulers', 'src/producers'];

describe('reading imports', () => {
  it('sees static, type-only, re-exported and dynamic imports, and skips packages and comments', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '../b/b.ts';",
      "export { c } from './c.ts';",
      "const d = () => import('./d.ts');",
      "import pg from 'pg';",
      "// import { e } from './e.ts';",
      'const s = "import(\'./f.ts\')";',
    ].join('\n');
    expect(importSpecifiers(src)).toEqual(['./a.ts', '../b/b.ts', './c.ts', './d.ts']);
  });

  it('reports a role folder imported from outside, and allows the composition root and the folder itself', () => {
    const graph: ImportGraph = new Map([
      ['src/runtime.ts', ['src/workers/single-workers.ts']],
      ['src/workers/batch-role.ts', ['src/workers/batch-workers.ts', 'src/batches/poll.ts']],
      ['src/support/routes.ts', ['src/schedulers/scheduler.ts']],
    ]);
    expect(roleFolderViolations(graph, ROLE_FOLDERS)).toEqual([
      'src/support/routes.ts → src/schedulers/scheduler.ts',
    ]);
  });

  it('follows imports through allowed folders to what lies outside', () => {
    const graph: ImportGraph = new Map([
      ['src/lrs/client.ts', ['src/lrs/xml.ts', 'src/codes/catalogue.ts']],
      ['src/lrs/xml.ts', ['src/xml/parse.ts']],
      ['src/codes/catalogue.ts', ['src/log.ts']],
    ]);
    expect(reachableOutside(graph, 'src/lrs', ['src/lrs', 'src/codes', 'src/xml'])).toEqual([
      'src/lrs/client.ts → src/codes/catalogue.ts → src/log.ts',
    ]);
  });

  it('names the packages a source imports, scoped ones by scope and name', () => {
    const src = [
      "import { Queue } from 'bullmq';",
      "import type { Job } from 'bullmq';",
      "import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';",
      "import { readFile } from 'node:fs/promises';",
      "import { a } from './a.ts';",
    ].join('\n');
    expect(packageImports(src)).toEqual(['bullmq', 'bullmq', '@bull-board/api', 'node:fs']);
  });

  it('reports the queue library imported outside the queue layer and the role wiring', () => {
    const packages: ImportGraph = new Map([
      ['src/workers/job-steps.ts', ['bullmq']],
      ['src/queues/redis.ts', ['bullmq', 'ioredis']],
      ['src/batches/poll.ts', ['bullmq', 'pg']],
      ['src/support/queue-board.ts', ['@bull-board/api']],
    ]);
    expect(packageImportsOutside(packages, 'bullmq', MAY_IMPORT_BULLMQ)).toEqual([
      'src/batches/poll.ts → bullmq',
    ]);
  });

  it('reports imports that run up or across the layers and units without a layer, not those running down', () => {
    const layers = [['src/codes'], ['src/lrs'], ['src/db', 'src/log.ts'], ['src/requests']];
    const graph: ImportGraph = new Map([
      ['src/requests/run.ts', ['src/db/requests.ts', 'src/lrs/client.ts', 'src/requests/kinds.ts']],
      ['src/db/outbox.ts', ['src/requests/kinds.ts', 'src/log.ts', 'src/db/pool.ts', 'db/schema.ts']],
      ['src/codes/table.ts', ['src/codes/types.ts']],
      ['src/stray.ts', ['src/codes/table.ts']],
    ]);
    expect(layerViolations(graph, layers)).toEqual([
      'src/db/outbox.ts → src/requests/kinds.ts (layer 2 → 3)',
      'src/db/outbox.ts → src/log.ts (layer 2 → 2)',
      'src/stray.ts: src/stray.ts has no layer',
    ]);
  });

  it('reports an import from one folder into another, and only that direction', () => {
    const graph: ImportGraph = new Map([
      ['src/codes/table.ts', ['src/lrs/errors.ts', 'src/codes/types.ts']],
      ['src/lrs/errors.ts', ['src/codes/types.ts']],
    ]);
    expect(importsBetween(graph, 'src/codes', 'src/lrs')).toEqual(['src/codes/table.ts → src/lrs/errors.ts']);
  });
});

describe('import rules of src/', () => {
  const graph = readGraph();

  it('reads the real tree (a scan that finds nothing proves nothing)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/runtime.ts')).toContain('src/workers/single-workers.ts');
  });

  it('only src/runtime.ts and the folder itself import src/workers, src/schedulers and src/producers', () => {
    expect(roleFolderViolations(graph, ROLE_FOLDERS)).toEqual([]);
  });

  it('src/lrs (the LRS client) reaches nothing of the app but src/codes, src/xml and src/errors.ts', () => {
    expect(reachableOutside(graph, 'src/lrs', LRS_MAY_REACH)).toEqual([]);
  });

  it('src/codes imports nothing from src/lrs', () => {
    expect(importsBetween(graph, 'src/codes', 'src/lrs')).toEqual([]);
  });

  it('each folder imports only the layers below its own (LAYERS)', () => {
    expect(layerViolations(graph, LAYERS)).toEqual([]);
  });

  it('only the queue layer and the role wiring import bullmq (the subject folders never do)', () => {
    const packages = readPackageImports();
    expect(packages.get('src/workers/job-steps.ts')).toContain('bullmq');
    expect(packageImportsOutside(packages, 'bullmq', MAY_IMPORT_BULLMQ)).toEqual([]);
  });
});
