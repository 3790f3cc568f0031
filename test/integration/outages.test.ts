/**
 * Servers down, not just emptied: the Redis server stopped for 10 s (its data gone, as after a crash
 * without persistence) and the Postgres server restarted, each in the middle of a run of 1,000 requests;
 * and the Postgres server restarted when it holds the queues too (QUEUE_BACKEND=postgres, 1,000 requests).
 * The relay runs as `lrs-relay start --role all` in a child process against private servers (the shared
 * ones serve every other test): it must not exit, /readyz must say what is wrong while it is wrong, and
 * afterwards every request ends terminal exactly once with no duplicate registration. Each test prints
 * the time from recovery to the last terminal request (docs/operations.md explains what governs it).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate.ts';
import type { QueueBackendKind } from '../../src/queues/catalogue.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { addStaff } from '../../src/support/staff.ts';
import { createTestClient } from '../e2e/http-client.ts';
import { PASSWORD, TEST_SCRYPT_COST } from '../e2e/seed.ts';
import {
  assertSettledOnce,
  countTerminal,
  learners,
  reportRecovery,
  submitAll,
  type Run,
} from '../helpers/chaos.ts';
import { SIM_PASSWORD } from '../helpers/pipeline.ts';
import {
  freePort,
  spawnRelay,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivateServer,
} from '../helpers/servers.ts';
import { waitUntil } from '../helpers/wait.ts';

/**
 * Requests in a run. The server stops once 200 have ended, with work queued and in flight; the rest
 * (800) is what must come through, and more of it only lengthens the run (2,000 before, the same result).
 */
const TOTAL = 1_000;

interface Outage {
  redis: PrivateServer;
  postgres: PrivateServer;
  simulator: Simulator;
  sql: pg.Pool;
  relay: { child: ChildProcess; output: { stdout: string; stderr: string } };
  readyUrl: string;
  baseUrl: string;
  run: Run;
}

async function startOutageRun(backend: QueueBackendKind): Promise<Outage> {
  const [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  const url = postgres.url.replace(/\/postgres$/, '/relay');
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('create database relay');
  await admin.end();
  await migrateDatabase(url, backend === 'postgres' ? { queueSchema: 'lrs_queue' } : {});
  // Keep the pool small and tolerant: the test's own connections die with the server too.
  const sql = new pg.Pool({ connectionString: url, max: 4, application_name: 'outage test' });
  sql.on('error', () => undefined);
  await sql.query(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name, concurrency_share)
     values ('Outage College', '10000001', '{"kind":"env","name":"LRS_PASSWORD_10000001"}', 'outage test', 16)`,
  );
  const simulator = createSimulator({ syntheticLearners: 50, faults: { latencyMs: 20 } });
  await simulator.listen();
  const port = await freePort();
  const relay = spawnRelay(['start', '--role', 'all', '--port', String(port)], {
    QUEUE_BACKEND: backend,
    DATABASE_URL: url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'outage',
    LRS_BASE_URL: simulator.url,
    LRS_ALLOW_INSECURE_HTTP: 'true',
    LRS_TIMEOUT_MS: '2000',
    LRS_PASSWORD_10000001: SIM_PASSWORD,
    OUTBOX_POLL_INTERVAL_MS: '200',
    RECONCILE_INTERVAL_MS: '2000',
    RECONCILE_STALE_MS: '5000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'info',
  });
  const readyUrl = `http://127.0.0.1:${port}/readyz`;
  await waitUntil(async () => (await fetch(readyUrl).catch(() => undefined))?.status === 200, 30_000);
  const run: Run = {
    sql,
    simulator,
    async submit(kind, misId, payload) {
      const r = await sql.query(
        `select lrs.submit_request('10000001', $1, $2, $3::jsonb, 'outage.test', 'single') as id`,
        [kind, misId, JSON.stringify(payload)],
      );
      return Number(r.rows[0].id);
    },
  };
  await addStaff(
    { pool: sql },
    { username: 'ops', password: PASSWORD, isAdmin: true, cost: TEST_SCRYPT_COST },
  );
  return { redis, postgres, simulator, sql, relay, readyUrl, baseUrl: `http://127.0.0.1:${port}`, run };
}

async function readiness(url: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: r.status, body: await r.json() };
}

/** Waits until every request is terminal, then reports the time from `recoveredAt` to the last one. */
async function settleAfter(
  o: Outage,
  disturbance: string,
  recoveredAt: number,
  timeoutMs: number,
  total: number,
): Promise<void> {
  await waitUntil(async () => {
    if (o.relay.child.exitCode !== null) throw new Error(`the relay exited:\n${o.relay.output.stderr}`);
    return (await countTerminal(o.run).catch(() => 0)) === total;
  }, timeoutMs);
  await reportRecovery(o.run, disturbance, recoveredAt);
}

function startsLogged(o: Outage): number {
  return o.relay.output.stdout.split('\n').filter((l) => l.includes('"lrs-relay started"')).length;
}

describe('outages', { timeout: 300_000 }, () => {
  let o: Outage | undefined;
  afterEach(async () => {
    if (o) {
      if (o.relay.child.exitCode === null) {
        o.relay.child.kill('SIGKILL');
        await once(o.relay.child, 'exit');
      }
      await o.sql.end().catch(() => undefined);
      await o.simulator.close();
      await Promise.all([o.redis.destroy(), o.postgres.destroy()]);
    }
    o = undefined;
  });

  /** One server outage: which server, for how long, what /readyz says meanwhile, what else to check then. */
  interface OutageCase {
    server: 'redis' | 'postgres';
    /** Where the queues live (default redis). */
    backend?: QueueBackendKind;
    /** Requests in the run (default TOTAL). */
    total?: number;
    downMs: number;
    label: string;
    /** While it is down, besides /readyz. */
    whileDown?: (o: Outage) => Promise<void>;
  }
  const CASES: [string, OutageCase][] = [
    [
      'the Redis server stopped for 10 s mid-run (its data lost)',
      {
        server: 'redis',
        // Twice ioredis's longest wait between reconnections (5 s), as the Postgres cases below.
        downMs: 10_000,
        label: 'redis server stopped 10 s (data lost)',
        // The dashboard still answers from Postgres and says the queue store is not answering.
        whileDown: async (o) => {
          const ops = createTestClient(o.baseUrl);
          expect((await ops.logIn('ops', PASSWORD)).status).toBe(303);
          const page = await ops.get('/');
          expect(page.status).toBe(200);
          expect(await page.text()).toContain('The queue store (Redis) is not answering');
        },
      },
    ],
    [
      'the Postgres server restarted mid-run',
      { server: 'postgres', downMs: 10_000, label: 'postgres server restarted (down 10 s)' },
    ],
    [
      'the Postgres server restarted mid-run, with the queues in it too (QUEUE_BACKEND=postgres)',
      {
        server: 'postgres',
        backend: 'postgres',
        // As many as the Redis runs: the restart lands after 200 either way. Half as many is no quicker:
        // most of the run is the lock of the jobs whose finish the restart cut off (docs/deployment.md).
        total: TOTAL,
        downMs: 10_000,
        label: 'postgres server restarted (down 10 s), queues in Postgres',
      },
    ],
  ];

  it.each(CASES)('rides out %s', async (_name, c) => {
    const backend = c.backend ?? 'redis';
    const total = c.total ?? TOTAL;
    o = await startOutageRun(backend);
    const tag = c.server === 'redis' ? 'R' : 'P';
    await submitAll(o.run, learners(total, tag), tag);
    const run = o.run;
    await waitUntil(async () => (await countTerminal(run)) > 200, 60_000);
    const server = o[c.server];
    await server.stop();
    const downAt = Date.now();
    // While it is down: the relay keeps running and /readyz names the server that is down, not the other.
    const url = o.readyUrl;
    await waitUntil(async () => (await readiness(url)).status === 503, 15_000);
    // On the postgres backend the queue store is that server too (key `queues`).
    expect((await readiness(url)).body).toMatchObject({
      ok: false,
      checks:
        backend === 'postgres'
          ? { postgres: { ok: false }, queues: { ok: false } }
          : { postgres: { ok: c.server !== 'postgres' }, redis: { ok: c.server !== 'redis' } },
    });
    await c.whileDown?.(o);
    await sleep(Math.max(0, c.downMs - (Date.now() - downAt)));
    expect(o.relay.child.exitCode).toBeNull();
    await server.start();
    const recoveredAt = Date.now();
    await settleAfter(o, c.label, recoveredAt, 180_000, total);
    await waitUntil(async () => (await readiness(url)).status === 200, 15_000);
    await assertSettledOnce(o.run, total);
    expect(startsLogged(o)).toBe(1);
    o.relay.child.kill('SIGTERM');
    const [code] = (await once(o.relay.child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
