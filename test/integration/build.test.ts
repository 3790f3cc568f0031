/**
 * Built for production: after `npm ci && npm run build && npm prune --omit=dev` (no tsx, no TypeScript)
 * the CLI, `migrate` and `start` run from dist/, and the started relay carries a request to the LRS.
 * Runs in a copy of the checkout, so the working tree's dist/ and node_modules are never touched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The files a fresh clone has (tracked, plus new files not yet committed), never node_modules or dist. */
async function copyCheckout(to: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const exists = await stat(join(ROOT, file)).catch(() => undefined);
    if (exists?.isFile()) await cp(join(ROOT, file), join(to, file), { recursive: false, force: true });
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

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lrs-relay-build-'));
    await copyCheckout(dir);
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, timeout: 300_000 });
    await run('npm', ['run', 'build'], { cwd: dir, timeout: 300_000 });
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
  });

  // (typescript itself may stay: a production dependency of bull-board, valibot, lists it as a peer.)
  it('has no development tools left and runs the compiled CLI', async () => {
    await expect(stat(join(dir, 'node_modules', 'tsx'))).rejects.toThrow();
    await stat(join(dir, 'dist', 'src', 'cli', 'main.js'));
    const help = await run(process.execPath, ['bin/lrs-relay.js', '--help'], { cwd: dir, env });
    expect(help.stdout).toMatch(/Usage: lrs-relay <command>/);
  });

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
        `select lrs.submit_request('10000001', 'find_by_uln', 'B1', $1::jsonb, 'build.test', 'single') as id`,
        [JSON.stringify({ uln: '1026893096', givenName: 'Sample', familyName: 'Testname' })],
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
  });
});
