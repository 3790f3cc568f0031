/**
 * Built for production: after `npm ci && npm run build && npm prune --omit=dev` (no tsx, no TypeScript)
 * the CLI, `migrate` and `start` run from dist/, and the started relay carries a request to the LRS.
 * Then an upgrade to a newer commit (a changed source and a new migration): before it is built the
 * installation keeps running its build and says what to do, `npm run build` without the development
 * dependencies refuses and leaves dist/ as it was, and the procedure of docs/operations.md ("Upgrading")
 * runs the new code. Runs in a copy of the checkout, so the working tree's dist/ and node_modules are
 * never touched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { adminUrl, databaseUrl, redisUrl } from '../helpers/urls.ts';
import { waitUntil } from '../helpers/wait.ts';
import { createQueuePrefix, deletePrefixKeys } from '../helpers/redis.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SIM_PASSWORD = 'Simulator-Pass16';

/** What a checkout holds that a fresh clone does not (installed, built or written by a run). */
const NOT_IN_A_CLONE = new Set([
  '.git',
  'node_modules',
  'dist',
  'dist.next',
  'dist.old',
  'tmp',
  'test-results',
]);

/**
 * The files a fresh clone has (tracked, plus new files not yet committed), never node_modules or dist.
 * Outside a git checkout (an ablation's scratch copy, which holds only such files) the tree is copied
 * without what a run leaves at its top.
 */
async function copyCheckout(to: string): Promise<void> {
  const listed = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  }).catch(() => undefined);
  if (!listed) {
    await cp(ROOT, to, {
      recursive: true,
      filter: (from) => {
        const top = relative(ROOT, from).split(sep)[0] ?? '';
        return !NOT_IN_A_CLONE.has(top) && !top.startsWith('.ablate');
      },
    });
    return;
  }
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const exists = await stat(join(ROOT, file)).catch(() => undefined);
    if (exists?.isFile()) await cp(join(ROOT, file), join(to, file), { recursive: false, force: true });
  }
}

/**
 * A copy of `dir`'s node_modules beside `dir`, hard-linked (the prune unlinks files from the install
 * and never writes into one, so the copy keeps the full tree), or '' where `cp -al` is not available.
 */
async function keepFullInstall(dir: string): Promise<string> {
  const to = `${dir}-node_modules-full`;
  try {
    await run('cp', ['-al', join(dir, 'node_modules'), to]);
    // npm's record of the tree is its own file in the copy, in case npm rewrites it in place.
    const record = join(to, '.package-lock.json');
    await rm(record, { force: true });
    await cp(join(dir, 'node_modules', '.package-lock.json'), record).catch(() => undefined);
    return to;
  } catch {
    await rm(to, { recursive: true, force: true });
    return '';
  }
}

describe('production build', { timeout: 600_000 }, () => {
  let dir = '';
  let simulator: Simulator | undefined;
  let relay: ChildProcess | undefined;
  const dbName = `lrs_build_${Date.now().toString(36)}`;
  const prefix = createQueuePrefix();
  let env: Record<string, string> = {};
  const admin = new pg.Client({ connectionString: adminUrl() });
  /** The full install (development dependencies too) as npm ci left it, kept for the upgrade; '' when not kept. */
  let fullModules = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lrs-relay-build-'));
    await copyCheckout(dir);
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, timeout: 300_000 });
    await run('npm', ['run', 'build'], { cwd: dir, timeout: 300_000 });
    fullModules = await keepFullInstall(dir);
    await run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir, timeout: 120_000 });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    simulator = createSimulator({ syntheticLearners: 20 });
    await simulator.listen();
    env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl(dbName),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      LRS_BASE_URL: simulator.url,
      LRS_ALLOW_INSECURE_HTTP: 'true',
      OUTBOX_POLL_INTERVAL_MS: '200',
      LRS_PASSWORD_10000001: SIM_PASSWORD,
      LOG_LEVEL: 'warn',
    };
    // npm ci, the build and the prune take most of a minute on an idle machine and several on a loaded
    // one (a CI run timed the hook out at the 60 s default).
  }, 600_000);

  afterAll(async () => {
    if (relay && relay.exitCode === null) {
      relay.kill('SIGKILL');
      await once(relay, 'exit');
    }
    await simulator?.close();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
    await deletePrefixKeys(prefix);
    if (dir) await rm(dir, { recursive: true, force: true });
    if (fullModules) await rm(fullModules, { recursive: true, force: true });
  });

  // (typescript itself may stay: a production dependency of bull-board, valibot, lists it as a peer.)
  it('has no development tools left and runs the compiled CLI', async () => {
    await expect(stat(join(dir, 'node_modules', 'tsx'))).rejects.toThrow();
    await stat(join(dir, 'dist', 'src', 'cli', 'main.js'));
    const help = await run(process.execPath, ['bin/lrs-relay.js', '--help'], { cwd: dir, env });
    expect(help.stdout).toMatch(/Usage: lrs-relay <command>/);
  });

  /** Starts every role from the installation, carries one request to the LRS, stops with SIGTERM. */
  async function carryOneRequest(mis: string): Promise<void> {
    relay = spawn(process.execPath, ['bin/lrs-relay.js', 'start', '--role', 'all', '--port', '0'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    relay.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const sql = new pg.Client({ connectionString: databaseUrl(dbName) });
    await sql.connect();
    try {
      const r = await sql.query(
        `select lrs.submit_request('10000001', 'find_by_uln', $2, $1::jsonb, 'build.test', 'single') as id`,
        [JSON.stringify({ uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }), mis],
      );
      const id = Number(r.rows[0].id);
      await waitUntil(async () => {
        if (relay?.exitCode !== null) throw new Error(`the relay exited: ${stderr}`);
        const s = await sql.query('select status from lrs.request where id = $1', [id]);
        return s.rows[0].status === 'succeeded';
      }, 60_000);
    } finally {
      await sql.end();
    }
    relay.kill('SIGTERM');
    const [code] = (await once(relay, 'exit')) as [number | null];
    expect(code).toBe(0);
  }

  it('migrates a new database and starts every role, which carries a request to the LRS', async () => {
    await run(process.execPath, ['bin/lrs-relay.js', 'migrate'], { cwd: dir, env });
    await run(
      process.execPath,
      [
        'bin/lrs-relay.js',
        'orgs',
        'add',
        '--name',
        'Build College',
        '--ukprn',
        '10000001',
        '--password',
        'env:LRS_PASSWORD_10000001',
        '--user',
        'build.test',
      ],
      { cwd: dir, env },
    );
    await carryOneRequest('B1');
  });

  it('upgrades to a newer commit without ever leaving the installation unable to run', async () => {
    const cliArgs = ['bin/lrs-relay.js', '--help'];
    const buildInfo = await readFile(join(dir, 'dist', 'build-info.json'), 'utf8');
    // The newer commit: a changed source (a command's summary in --help) and a new migration.
    const marker = `upgraded ${Date.now().toString(36)}`;
    const main = join(dir, 'src', 'cli', 'main.ts');
    const source = await readFile(main, 'utf8');
    expect(source).toContain("summary: 'what an LRS or lrs-relay code means");
    await writeFile(main, source.replace("summary: 'what an LRS", `summary: '${marker}: what an LRS`));
    const journalFile = join(dir, 'db', 'migrations', 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as {
      entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
    };
    const last = journal.entries.at(-1);
    if (!last) throw new Error('no migrations in the journal');
    const tag = `9999_upgrade_test`;
    journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag });
    await writeFile(journalFile, JSON.stringify(journal, null, 2));
    await writeFile(join(dir, 'db', 'migrations', `${tag}.sql`), `COMMENT ON SCHEMA lrs IS '${marker}';\n`);

    // Pulled, not yet built: the installed build still runs, and says what to do.
    const before = await run(process.execPath, cliArgs, { cwd: dir, env });
    expect(before.stdout).toMatch(/Usage: lrs-relay <command>/);
    expect(before.stdout).not.toContain(marker);
    expect(before.stderr).toMatch(/sources changed after dist\/ was built/);
    expect(before.stderr).toContain('npm ci && npm run build');

    // Building without the development dependencies refuses, names the fix and keeps dist/.
    const refused = await run('npm', ['run', 'build'], { cwd: dir }).then(
      () => undefined,
      (e: { code?: number; stdout?: string; stderr?: string }) => e,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/development dependencies the build needs are not installed/);
    expect(refused?.stderr).toMatch(/dist\/ was left as it was/);
    expect(refused?.stderr).toContain('`npm ci`');
    expect(await readFile(join(dir, 'dist', 'build-info.json'), 'utf8')).toBe(buildInfo);
    const still = await run(process.execPath, cliArgs, { cwd: dir, env });
    expect(still.stdout).toMatch(/Usage: lrs-relay <command>/);

    // The upgrade procedure: install with the development dependencies, build, migrate, restart, prune.
    // Step 2 (`npm ci`) installs the same lockfile's tree as the first install; that tree, kept aside
    // before the prune, is put back instead of installing it twice (npm ci again where it was not kept).
    if (fullModules) {
      await rm(join(dir, 'node_modules'), { recursive: true, force: true });
      await rename(fullModules, join(dir, 'node_modules'));
      fullModules = '';
    } else {
      await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, timeout: 300_000 });
    }
    await stat(join(dir, 'node_modules', 'tsx'));
    await run('npm', ['run', 'build'], { cwd: dir, timeout: 300_000 });
    const migrated = await run(process.execPath, ['bin/lrs-relay.js', 'migrate'], { cwd: dir, env });
    expect(migrated.stdout).toMatch(/1 migration\(s\) applied now/);
    await run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir, timeout: 120_000 });
    await expect(stat(join(dir, 'node_modules', 'tsx'))).rejects.toThrow();
    const after = await run(process.execPath, cliArgs, { cwd: dir, env });
    expect(after.stdout).toContain(marker);
    expect(after.stderr).toBe('');
    const sql = new pg.Client({ connectionString: databaseUrl(dbName) });
    await sql.connect();
    try {
      const c = await sql.query(`select obj_description('lrs'::regnamespace, 'pg_namespace') as comment`);
      expect(c.rows[0].comment).toBe(marker);
    } finally {
      await sql.end();
    }
    await carryOneRequest('B2');
  });
});
