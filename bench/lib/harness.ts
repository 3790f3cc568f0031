/**
 * What the pipeline benchmarks share: a throwaway database, the simulator in its own process (so its
 * CPU does not count against the relay's), and an in-process relay with every role but the dashboard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import type { QueueBackendKind } from '../../src/queues/catalogue.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import { createQueueConnection } from '../../src/queues/store.ts';
import { startRelay, type Relay } from '../../src/runtime.ts';
import { MIS_APPLICATION_NAME } from './cpu.ts';
import { OPEN_STATUSES } from '../../db/schema.ts';
import { sqlList } from '../../src/db/sql-list.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BENCH_PASSWORD = 'Simulator-Pass16';

export interface SimulatorProcess {
  child: ChildProcess;
  url: string;
  setFaults(f: Record<string, unknown>): Promise<void>;
  stats(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts `lrs-relay simulator --json` on a free port in a child process (`nodeArgs` go to node itself). */
export async function startSimulatorProcess(
  args: string[] = [],
  nodeArgs: string[] = [],
): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, 'bin/lrs-relay.js', 'simulator', '--port', '0', '--json', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (!child.stdout) throw new Error('no stdout from the simulator process');
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(() => {
    throw new Error('the simulator exited before printing its URL');
  });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  lines.close();
  const url = (JSON.parse(line) as { url: string }).url;
  return {
    child,
    url,
    async setFaults(f) {
      const r = await fetch(`${url}/__admin/faults`, {
        method: 'POST',
        body: JSON.stringify(f),
        headers: { 'content-type': 'application/json' },
      });
      if (!r.ok) throw new Error(`setting simulator faults failed: HTTP ${r.status}`);
    },
    async stats() {
      return (await (await fetch(`${url}/__admin/stats`)).json()) as Record<string, unknown>;
    },
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export interface BenchRelay {
  config: Config;
  relay: Relay;
  sql: pg.Pool;
  simulator: SimulatorProcess;
  /** Inserts n find_by_demographics requests through lrs.submit_request, as MIS triggers would. */
  submit(n: number): Promise<void>;
  /** Resolves when every submitted request is terminal. */
  waitAllTerminal(timeoutMs?: number): Promise<void>;
  /** Trigger-to-outcome latency of the requests created after `sinceId` (all when omitted). */
  latencyPercentiles(sinceId?: number): Promise<{ p50Ms: number; p99Ms: number; requests: number }>;
  /** The highest request id so far (0 when none). */
  lastRequestId(): Promise<number>;
  close(): Promise<void>;
}

/** The schema BullMQ's Postgres backend uses in bench databases. */
const BENCH_QUEUE_SCHEMA = 'lrs_queue';

/** A throwaway migrated database (with the queue schema when the queues live in Postgres). */
export async function createBenchDatabase(
  backend: QueueBackendKind,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lrs_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString(), backend === 'postgres' ? { queueSchema: BENCH_QUEUE_SCHEMA } : {});
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A queue store of the given kind with a fresh prefix (Redis) on the bench database (Postgres). */
export function createBenchQueueConnection(backend: QueueBackendKind, databaseUrl: string): QueueConnection {
  return createQueueConnection({
    config: {
      QUEUE_BACKEND: backend,
      REDIS_URL,
      QUEUE_PREFIX: `rawbench${randomBytes(3).toString('hex')}`,
      DATABASE_URL: databaseUrl,
      QUEUE_SCHEMA: BENCH_QUEUE_SCHEMA,
      DATABASE_STATEMENT_TIMEOUT_MS: 30_000,
    },
    tag: 'bench raw',
  });
}

export async function startBenchRelay(o: {
  concurrency: number;
  latencyMs: number;
  /** Where the queues live (default redis). */
  backend?: QueueBackendKind;
}): Promise<BenchRelay> {
  const backend = o.backend ?? 'redis';
  const db = await createBenchDatabase(backend);
  const url = new URL(db.url);

  const simulator = await startSimulatorProcess(['--synthetic', '2000']);
  await simulator.setFaults({ latencyMs: o.latencyMs });
  // The benchmark's own connections stand for the MIS: its triggers' inserts and its watching for outcomes.
  // Idle connections are kept (idleTimeoutMillis 0), so their CPU is counted as the MIS's till the end.
  const sql = new pg.Pool({
    connectionString: url.toString(),
    max: 4,
    idleTimeoutMillis: 0,
    application_name: MIS_APPLICATION_NAME,
  });
  // The wait for the last outcome asks the partial index of open requests. The planner's statistics of this
  // fresh table say it is tiny, and a sequential scan of every request 20 times a second would be counted
  // as Postgres CPU spent on the relay's work.
  const poll = new pg.Client({
    connectionString: url.toString(),
    application_name: MIS_APPLICATION_NAME,
    options: '-c enable_seqscan=off',
  });
  await poll.connect();
  await sql.query(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name, concurrency_share, rate_limit_per_second)
     values ('Bench College', '10000001', '{"kind":"env","name":"BENCH_LRS_PASSWORD"}', 'bench', $1, 100000)`,
    [o.concurrency],
  );
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    DATABASE_POOL_SIZE: String(o.concurrency + 10),
    REDIS_URL,
    QUEUE_BACKEND: backend,
    QUEUE_SCHEMA: BENCH_QUEUE_SCHEMA,
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    LRS_BASE_URL: simulator.url,
    LRS_ALLOW_INSECURE_HTTP: 'true',
    WORKER_CONCURRENCY: String(o.concurrency),
    RATE_LIMIT_PER_SECOND: '100000',
    OUTBOX_POLL_INTERVAL_MS: '500',
    LOG_LEVEL: 'silent',
  });
  const relay = await startRelay({
    config,
    roles: ['producer', 'worker', 'scheduler'],
    log: createLogger({ level: 'silent' }),
    env: { BENCH_LRS_PASSWORD: BENCH_PASSWORD },
  });
  let submitted = 0;
  return {
    config,
    relay,
    sql,
    simulator,
    async submit(n) {
      for (let from = submitted; from < submitted + n; from += 1_000) {
        const to = Math.min(submitted + n, from + 1_000) - 1;
        await sql.query(
          `select lrs.submit_request('10000001', 'find_by_demographics', 'B' || g,
                    jsonb_build_object('givenName', 'Bench', 'familyName', 'Learner' || g, 'dateOfBirth', '2001-02-03',
                                       'gender', '1', 'lastKnownPostCode', 'CV4 9EE'), 'bench')
             from generate_series($1::int, $2::int) g`,
          [from, to],
        );
      }
      submitted += n;
    },
    async waitAllTerminal(timeoutMs = 600_000) {
      // Asks whether any request is still open (the first entry of the partial index request_open_idx),
      // never counts them: the poll must not take CPU from what it measures.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await poll.query(
          `select exists (select 1 from lrs.request where status in ${sqlList(OPEN_STATUSES)}) as open`,
        );
        if (!(r.rows[0].open as boolean)) return;
        if (Date.now() > deadline) throw new Error(`requests still open after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async latencyPercentiles(sinceId = 0) {
      const r = await sql.query(
        `select percentile_cont(0.5) within group (order by extract(epoch from completed_at - created_at)) * 1000 as p50,
                percentile_cont(0.99) within group (order by extract(epoch from completed_at - created_at)) * 1000 as p99,
                count(*)::int as n
           from lrs.request where id > $1`,
        [sinceId],
      );
      return {
        p50Ms: Math.round(r.rows[0].p50 as number),
        p99Ms: Math.round(r.rows[0].p99 as number),
        requests: r.rows[0].n as number,
      };
    },
    async lastRequestId() {
      const r = await sql.query(`select coalesce(max(id), 0)::int as id from lrs.request`);
      return r.rows[0].id as number;
    },
    async close() {
      await relay.close();
      // Postgres queues go with the database; Redis keys are deleted by prefix.
      if (backend === 'redis') {
        const queues = createQueueConnection({ config, tag: 'bench cleanup' });
        await queues.deleteAll().finally(() => queues.close());
      }
      await sql.end();
      await poll.end();
      await simulator.stop();
      await db.drop();
    },
  };
}

/** Samples this process's RSS until stopped; returns the peak in MB. */
export function samplePeakRss(intervalMs = 100): () => number {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  return () => {
    clearInterval(t);
    return Math.round((Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) * 10) / 10;
  };
}
