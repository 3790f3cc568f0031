/**
 * `npm run ablate [name…] [--ci] [--changed REV] [--jobs N] [--timeout S] [--keep] [--list]`: for each entry, copy
 * the working tree (tracked and new files, as they are now) to a scratch directory, switch the
 * feature off there, check the patched files still type-check, run only the entry's tests, and
 * report the entry caught (every named test ran and failed) or missed. Exit 1 unless all are caught.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { applyEdits } from './apply.ts';
import { loadAblations } from './catalogue.ts';
import { createTypeChecker, type TypeChecker } from './typecheck.ts';
import type { AblationTest, NamedAblation } from './types.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface Options {
  names: string[];
  ci: boolean;
  /** Also the entries whose code, tests or entry file differ from this git revision. */
  changed: string | undefined;
  jobs: number;
  timeoutS: number;
  keep: boolean;
  list: boolean;
  typecheck: boolean;
  verbose: boolean;
}

const USAGE = `usage: npm run ablate -- [name…] [--ci] [--changed REV] [--jobs N] [--timeout SECONDS] [--keep] [--no-typecheck] [--list]
  name…           run these entries (with no name, --ci or --changed: every entry)
  --ci            run the entries marked ci: true (what .ci/run runs)
  --changed REV   run the entries whose edited files, test files or entry file differ from git revision
                  REV (committed since, or changed in the working tree), e.g. --changed main
  --jobs N        entries run at once (default 2)
  --timeout S     seconds before an entry's test run is stopped and reported missed (default 300)
  --keep          keep each entry's scratch copy and log
  --no-typecheck  skip the check that the patched files still type-check
  --verbose       also say how each caught entry's tests failed
  --list          list the entries chosen (every entry without a choice) and exit`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    names: [],
    ci: false,
    changed: undefined,
    jobs: 2,
    timeoutS: 300,
    keep: false,
    list: false,
    typecheck: true,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (flag: string): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`${flag} needs a whole number above 0, e.g. ${flag} 2`);
      return v;
    };
    if (a === '--ci') o.ci = true;
    else if (a === '--changed') {
      const rev = argv[++i];
      if (rev === undefined || rev.startsWith('-'))
        throw new Error('--changed needs a git revision to compare with, e.g. --changed main');
      o.changed = rev;
    } else if (a === '--jobs') o.jobs = num(a);
    else if (a === '--timeout') o.timeoutS = num(a);
    else if (a === '--keep') o.keep = true;
    else if (a === '--list') o.list = true;
    else if (a === '--no-typecheck') o.typecheck = false;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else o.names.push(a);
  }
  return o;
}

/** The working tree as it is: tracked files (modified or not) and new files git does not ignore. */
function treeFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(out.split('\0'))].filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

/** Files that differ from `rev`: committed since it, changed in the working tree, or new. */
function changedSince(rev: string): Set<string> {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new Error(`--changed ${rev}: git knows no such revision here`);
  }
  const diff = git(['diff', '--name-only', '-z', rev]);
  const added = git(['ls-files', '-z', '--others', '--exclude-standard']);
  return new Set([...diff.split('\0'), ...added.split('\0')].filter((f) => f !== ''));
}

/** Whether the entry switches off, or names a test in, a file of `changed` (or is itself changed). */
export function touches(a: NamedAblation, changed: ReadonlySet<string>): boolean {
  return (
    changed.has(`test/ablations/entries/${a.name}.ts`) ||
    a.edits.some((e) => changed.has(e.file)) ||
    a.tests.some((t) => changed.has(t.file))
  );
}

async function copyTree(files: string[], to: string): Promise<void> {
  const dirs = new Set(files.map((f) => dirname(join(to, f))));
  for (const d of dirs) await mkdir(d, { recursive: true });
  for (let i = 0; i < files.length; i += 64) {
    await Promise.all(files.slice(i, i + 64).map((f) => copyFile(join(ROOT, f), join(to, f))));
  }
  await symlink(join(ROOT, 'node_modules'), join(to, 'node_modules'), 'dir');
}

type Verdict =
  | { status: 'caught'; detail: string[] }
  | { status: 'missed'; detail: string[] }
  | { status: 'stale'; detail: string[] }
  | { status: 'broken'; detail: string[] };

const HEADLINE: Record<Verdict['status'], string> = {
  caught: 'caught',
  missed: 'MISSED',
  stale: 'MISSED (patch no longer applies)',
  broken: 'MISSED (the patched code does not type-check)',
};

interface Assertion {
  title: string;
  fullName: string;
  status: string;
  failureMessages?: string[];
}
interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: Assertion[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}

/** Judges the run: every named test must have run and failed. */
export function judge(tests: AblationTest[], results: FileResult[], copyRoot: string): Verdict {
  const detail: string[] = [];
  let missed = false;
  for (const t of tests) {
    const file = results.find((r) => relative(copyRoot, r.name) === t.file);
    const label = `${t.file} › ${t.name}`;
    const matches = (file?.assertionResults ?? []).filter((a) => a.title === t.name || a.fullName === t.name);
    const ran = matches.filter((a) => a.status === 'passed' || a.status === 'failed');
    if (ran.length === 0) {
      missed = true;
      const why = file?.message ? `: the file failed to run: ${firstLine(file.message)}` : '';
      detail.push(`did not run (no such test?) ${label}${why}`);
    } else if (ran.some((a) => a.status === 'passed')) {
      missed = true;
      detail.push(`passed with the feature off: ${label}`);
    } else {
      detail.push(`failed as it should: ${label} (${firstLine(ran[0]!.failureMessages?.[0] ?? '')})`);
    }
  }
  return { status: missed ? 'missed' : 'caught', detail };
}

async function runEntry(
  a: NamedAblation,
  files: string[],
  o: Options,
  checker: TypeChecker | undefined,
): Promise<Verdict & { seconds: number; dir: string }> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), `lrs-ablate-${a.name}-`));
  const done = (v: Verdict) => ({ ...v, seconds: Math.round((Date.now() - started) / 1000), dir });
  let keep = o.keep;
  try {
    const applied = applyEdits(a.edits, (f) =>
      existsSync(join(ROOT, f)) ? readFileSync(join(ROOT, f), 'utf8') : undefined,
    );
    if (!applied.ok)
      return done({ status: 'stale', detail: applied.problems.map((p) => `patch no longer applies: ${p}`) });
    await copyTree(files, dir);
    for (const [f, text] of applied.files) await writeFile(join(dir, f), text);
    const out = join(dir, '.ablate-results.json');
    const log = join(dir, '.ablate.log');
    const testFiles = [...new Set(a.tests.map((t) => t.file))];
    const pattern = [...new Set(a.tests.map((t) => escapeRegExp(t.name)))].join('|');
    const args = [
      join(dir, 'node_modules/vitest/vitest.mjs'),
      'run',
      ...testFiles,
      '-t',
      pattern,
      '--reporter=json',
      `--outputFile=${out}`,
      '--maxWorkers=1',
    ];
    const run = new Promise<number | string>((resolveRun) => {
      const child = spawn(process.execPath, args, {
        cwd: dir,
        env: { ...process.env, ...a.env, FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.on('data', (c: Buffer) => chunks.push(c));
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        resolveRun('timeout');
      }, o.timeoutS * 1000);
      child.on('close', (c) => {
        clearTimeout(timer);
        void writeFile(log, Buffer.concat(chunks)).then(() => resolveRun(c ?? 'signal'));
      });
    });
    // Checked while the tests run (the check holds this process's thread, not the test run's).
    const typeErrors = checker?.check(applied.files) ?? [];
    const code = await run;
    if (typeErrors.length > 0) {
      return done({ status: 'broken', detail: ['make the edit compile:', ...typeErrors.slice(0, 10)] });
    }
    if (code === 'timeout') {
      keep = true;
      return done({
        status: 'missed',
        detail: [`the test run took over ${o.timeoutS} s and was stopped (log: ${log})`],
      });
    }
    let results: FileResult[];
    try {
      results = (JSON.parse(await readFile(out, 'utf8')) as { testResults: FileResult[] }).testResults;
    } catch {
      keep = true;
      return done({ status: 'missed', detail: [`vitest wrote no results (exit ${code}); see ${log}`] });
    }
    const v = judge(a.tests, results, dir);
    if (v.status !== 'caught') keep = true;
    return done(v);
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const all = await loadAblations();
  const unknown = o.names.filter((n) => !all.some((a) => a.name === n));
  if (unknown.length > 0) {
    throw new Error(`no such entry: ${unknown.join(', ')} (npm run ablate -- --list shows them)`);
  }
  const changed = o.changed === undefined ? undefined : changedSince(o.changed);
  const everything = o.names.length === 0 && !o.ci && changed === undefined;
  const chosen = all.filter(
    (a) =>
      everything ||
      o.names.includes(a.name) ||
      (o.ci && a.ci) ||
      (changed !== undefined && touches(a, changed)),
  );
  if (o.list) {
    for (const a of chosen)
      console.log(`${a.name}${a.ci ? ' (ci)' : ''}\n    ${a.promise}\n    off: ${a.switchedOff}`);
    return;
  }
  const files = treeFiles();
  const checker = o.typecheck ? createTypeChecker(ROOT) : undefined;
  const started = Date.now();
  console.log(`ablate: ${chosen.length} entr${chosen.length === 1 ? 'y' : 'ies'}, ${o.jobs} at a time`);
  const verdicts: { a: NamedAblation; v: Awaited<ReturnType<typeof runEntry>> }[] = [];
  let next = 0;
  async function lane(): Promise<void> {
    while (next < chosen.length) {
      const a = chosen[next++]!;
      const v = await runEntry(a, files, o, checker);
      verdicts.push({ a, v });
      console.log(`${HEADLINE[v.status].padEnd(8)} ${a.name} (${v.seconds} s)`);
      if (v.status !== 'caught' || o.verbose) {
        for (const d of v.detail) console.log(`    ${d}`);
        if (existsSync(v.dir)) console.log(`    scratch copy kept: ${v.dir}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(o.jobs, chosen.length) }, () => lane()));
  const bad = verdicts.filter((x) => x.v.status !== 'caught');
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${chosen.length - bad.length} of ${chosen.length} caught in ${seconds} s`);
  for (const x of bad) console.log(`  ${HEADLINE[x.v.status]}: ${x.a.name}`);
  if (bad.length > 0) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((e: unknown) => {
    console.error(`ablate: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  });
}
