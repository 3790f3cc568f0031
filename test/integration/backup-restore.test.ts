/**
 * Backup and restore as docs/operations.md describes them: `pg_dump` of a running installation with
 * work in flight (requests pending, queued and in progress), the relay then killed as a machine dies,
 * the dump restored with `pg_restore` into a new database, `lrs-relay migrate`, and the relay started on
 * it with an empty queue store (a new Redis prefix, or on QUEUE_BACKEND=postgres the queue schema left
 * out of the dump and made empty by `migrate`). Every request then ends terminal exactly once, and the
 * LRS (the simulator, which saw both installations) registered nobody twice.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { assertSettledOnce, countTerminal, learners, submitAll, type Run } from '../helpers/chaos.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { SIM_PASSWORD } from '../helpers/pipeline.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';
import { createQueuePrefix, deletePrefixKeys } from '../helpers/redis.ts';
import { spawnRelay } from '../helpers/servers.ts';
import { adminUrl, databaseUrl, redisUrl } from '../helpers/urls.ts';
import { waitUntil } from '../helpers/wait.ts';

const run = promisify(execFile);
const TOTAL = 100;
const OPEN = ['pending', 'queued', 'in_progress'];

describe.each(TEST_BACKENDS)('backup and restore (%s)', { timeout: 300_000 }, (backend) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  function relayEnv(url: string, prefix: string): Record<string, string> {
    return {
      QUEUE_BACKEND: backend,
      DATABASE_URL: url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      LRS_BASE_URL: simulator?.url ?? '',
      LRS_ALLOW_INSECURE_HTTP: 'true',
      LRS_PASSWORD_10000001: SIM_PASSWORD,
      OUTBOX_POLL_INTERVAL_MS: '200',
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_STALE_MS: '3000',
      WORKER_LOCK_DURATION_MS: '3000',
      WORKER_CONCURRENCY: '4',
      SHUTDOWN_TIMEOUT_MS: '3000',
      DASHBOARD_PORT: '0',
      LOG_LEVEL: 'warn',
    };
  }
  let simulator: Simulator | undefined;

  it('every open request of the dump finishes exactly once after the restore', async () => {
    const source: TestDatabase = await createTestDatabase();
    cleanups.push(() => source.drop());
    const sourceSql = new pg.Pool({ connectionString: source.url, max: 4, application_name: 'backup test' });
    cleanups.push(() => sourceSql.end());
    await sourceSql.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Backup College', '10000001', '{"kind":"env","name":"LRS_PASSWORD_10000001"}', 'backup test')`,
    );
    // Slow enough that a dump taken a moment after the first answers finds work at every stage.
    simulator = createSimulator({ syntheticLearners: 20, faults: { latencyMs: 100 } });
    await simulator.listen();
    const sim = simulator;
    cleanups.push(() => sim.close());
    const prefixA = createQueuePrefix();
    const prefixB = createQueuePrefix();
    cleanups.push(() => deletePrefixKeys(prefixA));
    cleanups.push(() => deletePrefixKeys(prefixB));

    const a = spawnRelay(['start', '--role', 'all'], relayEnv(source.url, prefixA));
    cleanups.push(async () => {
      if (a.child.exitCode === null) a.child.kill('SIGKILL');
    });
    const runA: Run = {
      sql: sourceSql,
      simulator: sim,
      async submit(kind, misId, payload) {
        const r = await sourceSql.query(
          `select lrs.submit_request('10000001', $1, $2, $3::jsonb, 'backup.test', 'single') as id`,
          [kind, misId, JSON.stringify(payload)],
        );
        return Number(r.rows[0].id);
      },
    };
    await submitAll(runA, learners(TOTAL, 'bk'), 'bk');
    await waitUntil(async () => {
      if (a.child.exitCode !== null) throw new Error(`the relay exited: ${a.output.stderr}`);
      return (await countTerminal(runA)) >= 10;
    }, 120_000);

    // The backup, as docs/operations.md gives it: the whole database but the queue schema.
    const dir = await mkdtemp(join(tmpdir(), 'lrs-relay-backup-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const dump = join(dir, 'lrs_relay.dump');
    await run('pg_dump', ['--format=custom', '--exclude-schema=lrs_queue', `--file=${dump}`, source.url]);
    // The machine dies a moment later; the LRS may have answered calls the dump never saw.
    a.child.kill('SIGKILL');
    await once(a.child, 'exit');

    // The restore: a new database, pg_restore, migrate, an empty queue store.
    const restored = `lrs_restored_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      await admin.query(`create database ${restored}`);
    } finally {
      await admin.end();
    }
    const restoredUrl = databaseUrl(restored);
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`drop database if exists ${restored} with (force)`);
      await c.end();
    });
    await run('pg_restore', ['--exit-on-error', '--no-owner', `--dbname=${restoredUrl}`, dump]);
    const sql = new pg.Pool({ connectionString: restoredUrl, max: 4, application_name: 'restore test' });
    cleanups.push(() => sql.end());
    const open = await sql.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from lrs.request where status = any($1) group by 1',
      [OPEN],
    );
    const openCount = open.rows.reduce((n, r) => n + r.n, 0);
    // Open work in the backup, and some of it in flight (queued or in progress), not merely pending.
    expect(openCount, JSON.stringify(open.rows)).toBeGreaterThan(0);
    expect(open.rows.filter((r) => r.status !== 'pending').length, JSON.stringify(open.rows)).toBeGreaterThan(
      0,
    );

    const migrate = spawnRelay(['migrate'], relayEnv(restoredUrl, prefixB));
    const [migrated] = (await once(migrate.child, 'exit')) as [number | null];
    expect(migrated, migrate.output.stderr).toBe(0);
    const b = spawnRelay(['start', '--role', 'all'], relayEnv(restoredUrl, prefixB));
    cleanups.push(async () => {
      if (b.child.exitCode === null) {
        b.child.kill('SIGTERM');
        await once(b.child, 'exit');
      }
    });
    const runB: Run = { ...runA, sql };
    await waitUntil(async () => {
      if (b.child.exitCode !== null) throw new Error(`the restored relay exited: ${b.output.stderr}`);
      return (await countTerminal(runB)) === TOTAL;
    }, 180_000);
    await assertSettledOnce(runB, TOTAL);
  });
});
