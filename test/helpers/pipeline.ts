/**
 * An in-process relay against an in-process simulator, on a fresh database and queue prefix:
 * what every pipeline integration test starts from. `stop()` closes everything and fails on leaks.
 */
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startRelay, type Relay, type Role, type StartRelayOptions } from '../../src/runtime.ts';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import type { RetryPolicy } from '../../src/codes/retry-policy.ts';
import type { QueueBackendKind } from '../../src/queues/catalogue.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { assertNoRedisLeaks, createQueuePrefix, deletePrefixKeys } from './redis.ts';
import { redisUrl } from './urls.ts';

export const SIM_PASSWORD = 'Simulator-Pass16';

/** Retry delays short enough for tests; same shape as the real policy. */
export const FAST_RETRY_POLICY: RetryPolicy = {
  transport: { attempts: 10, baseDelayMs: 50, maxDelayMs: 400 },
  timeout: { attempts: 10, baseDelayMs: 50, maxDelayMs: 400 },
  maintenance: { attempts: 8, baseDelayMs: 50, maxDelayMs: 400, pauseQueueMs: 300 },
  out_of_hours: { attempts: 8, baseDelayMs: 50, maxDelayMs: 400, pauseQueueMs: 300 },
  rate_limited: { attempts: 10, baseDelayMs: 50, maxDelayMs: 400 },
  lrs_unexpected: { attempts: 3, baseDelayMs: 50, maxDelayMs: 400 },
  data_error: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  configuration: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
};

export interface Pipeline {
  db: TestDatabase;
  sql: pg.Pool;
  simulator: Simulator;
  config: Config;
  relay: Relay;
  /** Where the relay's queues live (QUEUE_BACKEND). */
  backend: QueueBackendKind;
  /** Random per pipeline: the Redis key prefix, and the tag on every connection name (leak checks). */
  prefix: string;
  logLines: string[];
  /** Calls lrs.submit_request as an MIS trigger would. */
  submit(
    kind: string,
    misId: string,
    payload: Record<string, unknown>,
    o?: { mode?: string; org?: string; priority?: number },
  ): Promise<number>;
  /** Waits until every request and every batch is finished (or the timeout passes, then throws with the statuses). */
  settle(timeoutMs?: number): Promise<void>;
  request(id: number): Promise<Record<string, unknown>>;
  restartRelay(roles?: Role[]): Promise<void>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Queue store of the relay (default redis). With postgres it is the test database's lrs_queue schema. */
  backend?: QueueBackendKind;
  simulator?: SimulatorOptions;
  roles?: Role[];
  env?: Record<string, string>;
  relay?: Partial<StartRelayOptions>;
  organisations?: { ukprn: string; password: string; name?: string }[];
}

export async function startPipeline(o: PipelineOptions = {}): Promise<Pipeline> {
  const db = await createTestDatabase();
  const simulator = createSimulator({ syntheticLearners: 200, ...o.simulator });
  await simulator.listen();
  const prefix = createQueuePrefix();
  const sql = new pg.Pool({ connectionString: db.url, max: 3, application_name: `${prefix} test` });
  const orgs = o.organisations ?? [{ ukprn: '10000001', password: SIM_PASSWORD, name: 'Simulator College' }];
  const secretEnv: Record<string, string> = {};
  for (const org of orgs) {
    secretEnv[`LRS_PASSWORD_${org.ukprn}`] = org.password;
    await sql.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name, concurrency_share)
       values ($1, $2, $3, 'lrs-relay nightly', 16)`,
      [
        org.name ?? `College ${org.ukprn}`,
        org.ukprn,
        JSON.stringify({ kind: 'env', name: `LRS_PASSWORD_${org.ukprn}` }),
      ],
    );
  }
  const backend = o.backend ?? 'redis';
  const config = loadConfig({
    QUEUE_BACKEND: backend,
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    LRS_BASE_URL: simulator.url,
    LRS_ALLOW_INSECURE_HTTP: 'true',
    LRS_TIMEOUT_MS: '2000',
    LRS_CONNECT_TIMEOUT_MS: '1000',
    OUTBOX_POLL_INTERVAL_MS: '200',
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_STALE_MS: '3000',
    SHUTDOWN_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'info',
    ...o.env,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger({ level: config.LOG_LEVEL }, sink);
  const roles = o.roles ?? ['producer', 'worker', 'scheduler'];
  const start = (r: Role[]) =>
    startRelay({
      config,
      roles: r,
      log,
      retryPolicy: FAST_RETRY_POLICY,
      env: secretEnv,
      connectionTag: prefix,
      ...o.relay,
    });
  let relay = await start(roles);

  const p: Pipeline = {
    db,
    sql,
    simulator,
    config,
    get relay() {
      return relay;
    },
    backend,
    prefix,
    logLines,
    async submit(kind, misId, payload, so = {}) {
      const r = await sql.query('select lrs.submit_request($1, $2, $3, $4::jsonb, $5, $6, null, $7) as id', [
        so.org ?? orgs[0]?.ukprn,
        kind,
        misId,
        JSON.stringify(payload),
        'j.smith',
        so.mode ?? 'single',
        so.priority ?? 1,
      ]);
      return Number(r.rows[0].id);
    },
    async settle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await sql.query(
          `select status, count(*)::int as n from lrs.request group by status order by status`,
        );
        const open = r.rows.filter(
          (x) => !['succeeded', 'needs_action', 'rejected', 'failed', 'cancelled'].includes(x.status),
        );
        // A batch is finished a moment after its last request is settled.
        const batches = await sql.query(
          `select count(*)::int as n from lrs.batch where status not in ('completed', 'failed', 'cancelled')`,
        );
        if (open.length === 0 && batches.rows[0].n === 0) return;
        if (Date.now() > deadline) throw new Error(`requests not settled: ${JSON.stringify(r.rows)}`);
        await sleep(100);
      }
    },
    async request(id) {
      const r = await sql.query(
        `select r.*, o.code, o.code_source, o.class, o.uln, o.master_uln, o.linked_ulns, o.candidates, o.failure_flags,
                o.problems, o.description
           from lrs.request r left join lrs.outcome o on o.request_id = r.id where r.id = $1`,
        [id],
      );
      return r.rows[0] as Record<string, unknown>;
    },
    async restartRelay(r = roles) {
      await relay.close();
      relay = await start(r);
    },
    async stop() {
      await relay.close();
      await simulator.close();
      await sql.end();
      // On the postgres backend the queue connections are to the test database: drop() fails if any is left.
      await db.drop();
      await assertNoRedisLeaks(prefix);
      await deletePrefixKeys(prefix);
    },
  };
  return p;
}
