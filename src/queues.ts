/**
 * The one catalogue of queues and jobs: names, zod schemas for job data (ids only, never personal
 * data), and the one factory for the queue store's connections (Redis or BullMQ's Postgres backend):
 * roles get a QueueConnection and never care which store is behind it. Producers validate before
 * enqueueing; workers parse `job.data` again, since data in the queue store may predate a deploy.
 */
import { hostname } from 'node:os';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import {
  PostgresConnection,
  PostgresQueueBackend,
  Queue,
  Worker,
  quoteSchemaName,
  runMigrations,
  type BackendFactory,
  type Job,
  type JobsOptions,
  type PostgresConnectionOptions,
  type Processor,
  type RepeatOptions,
  type WorkerOptions,
} from 'bullmq';
import type pg from 'pg';
import { withTimeout } from './timeout.ts';
import { z } from 'zod';

/** Queue names. Single-call work has one queue per organisation, so one organisation's backlog cannot starve another. */
export const QUEUES = {
  /** Prefix of the per-organisation single-call queues: `single-<organisationId>`. */
  singlePrefix: 'single-',
  batch: 'batch',
  scheduler: 'scheduler',
} as const;

export function singleQueueName(organisationId: number): string {
  return `${QUEUES.singlePrefix}${organisationId}`;
}

/** Job names, namespaced. */
export const JOBS = {
  request: 'lrs.request',
  batchAssemble: 'lrs.batch.assemble',
  batchSubmit: 'lrs.batch.submit',
  batchPoll: 'lrs.batch.poll',
  reconcile: 'lrs.reconcile',
  batchSweep: 'lrs.batch.sweep',
  acquireUlns: 'lrs.acquire-ulns',
  retentionPurge: 'lrs.retention.purge',
} as const;

export const JOB_DATA = {
  [JOBS.request]: z.object({ requestId: z.number().int().positive() }),
  [JOBS.batchAssemble]: z.object({}).passthrough(),
  [JOBS.batchSubmit]: z.object({ batchId: z.number().int().positive() }),
  [JOBS.batchPoll]: z.object({ batchId: z.number().int().positive() }),
  [JOBS.reconcile]: z.object({}).passthrough(),
  [JOBS.batchSweep]: z.object({}).passthrough(),
  // Without `organisation`, every organisation in the view; with it, only that one (UKPRN or organisation
  // reference, as `lrs-relay acquire-ulns --org` takes it). Strict: a misspelt field must not widen a run.
  [JOBS.acquireUlns]: z.object({ organisation: z.string().min(1).max(40).optional() }).strict(),
  [JOBS.retentionPurge]: z.object({}).passthrough(),
} as const;
export type JobName = keyof typeof JOB_DATA;
export type JobData<N extends JobName> = z.infer<(typeof JOB_DATA)[N]>;

/** BullMQ rejects integer-looking custom ids, so a request's job id is `req-<id>`. */
export function requestJobId(requestId: number): string {
  return `req-${requestId}`;
}
export function batchJobId(kind: 'submit' | 'poll', batchId: number): string {
  return `batch-${kind}-${batchId}`;
}

/** Job states (Queue.getJobState) in which a job will still run; the sweeps re-create work only outside them. */
export const LIVE_JOB_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
]);
export function isLiveJobState(state: string): boolean {
  return LIVE_JOB_STATES.has(state);
}

/**
 * What a job's handler in a subject folder reads of its job: BullMQ's Job satisfies it, so the handlers
 * never import the queue library (only the role wiring in src/workers/ does).
 */
export interface JobRun {
  readonly id?: string | undefined;
  readonly data: unknown;
  /** Attempts finished before this one. */
  readonly attemptsMade: number;
}

/**
 * What the subject folders do with a queue: add a job, ask a job's state, remove a finished job. A Queue
 * of either store (createQueueConnection) satisfies it.
 */
export interface JobQueue {
  add(name: JobName, data: unknown, opts?: JobsOptions): Promise<unknown>;
  /** One of LIVE_JOB_STATES, `completed`, `failed` or `unknown`. */
  getJobState(jobId: string): Promise<string>;
  /** Removes a job by id; resolves to 1 if removed, 0 if not. */
  remove(jobId: string): Promise<number>;
}

/** Parses job data for a job name; throws a plain error naming the job if it does not match. */
export function parseJobData<N extends JobName>(name: N, data: unknown): JobData<N> {
  const r = JOB_DATA[name].safeParse(data);
  if (!r.success)
    throw new Error(
      `job ${name} has data that does not match its schema: ${r.error.issues[0]?.message ?? ''}`,
    );
  return r.data as JobData<N>;
}

/**
 * BullMQ key prefix of one queue, hash-tagged so every key of that queue lands in one Redis Cluster
 * slot (BullMQ's Lua scripts touch several keys of a queue at once) while different queues (one per
 * organisation) spread over the cluster's masters.
 */
export function bullPrefix(queuePrefix: string, queueName: string): string {
  return `{${queuePrefix}:${queueName}}`;
}

/** What matches every key of every queue under a prefix (SCAN MATCH pattern). */
function bullKeyPattern(queuePrefix: string): string {
  return `{${queuePrefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
}

/** Default options for request jobs: completed jobs are dropped (Postgres keeps the record). */
export const REQUEST_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** A Redis connection BullMQ can use: one Redis server, or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/**
 * Where Redis is, as the configuration says: REDIS_URL, and REDIS_CLUSTER_NODES when the queues live on
 * a Redis Cluster (then REDIS_URL lends only its user name, password and TLS).
 */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: readonly { host: string; port: number }[] | undefined;
}

export interface RedisFactoryOptions {
  /**
   * The configuration itself, never a URL picked out of it: a connection made from REDIS_URL alone
   * would quietly run on one Redis while REDIS_CLUSTER_NODES names a cluster.
   */
  target: RedisTarget;
  /** Shown in CLIENT LIST; tests use it to find leaked connections. */
  connectionName: string;
}

/**
 * The one way this code opens Redis: a connection (one server, or ioredis's Cluster client when
 * REDIS_CLUSTER_NODES is set) for BullMQ. Workers need maxRetriesPerRequest: null (blocking commands);
 * queues used by producers fail fast instead of hanging when Redis is down.
 */
export function createRedis(
  o: RedisFactoryOptions & { forWorker: boolean; onError?: (e: Error) => void },
): RedisConnection {
  const options: RedisOptions = {
    connectionName: o.connectionName,
    maxRetriesPerRequest: o.forWorker ? null : 3,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
  const url = o.target.REDIS_URL;
  const clusterNodes = o.target.REDIS_CLUSTER_NODES;
  let redis: RedisConnection;
  if (clusterNodes?.length) {
    const u = new URL(url);
    redis = new Cluster([...clusterNodes], {
      redisOptions: {
        ...options,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      },
      clusterRetryStrategy: (times) => Math.min(times * 200, 5_000),
      // A failed-over master's slots move to its replica: follow MOVED/ASK and retry meanwhile.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 500,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: 2_000,
      enableOfflineQueue: true,
    });
  } else {
    redis = new Redis(url, options);
  }
  // Without a listener ioredis prints every failed reconnection; it keeps reconnecting either way.
  redis.on('error', o.onError ?? (() => {}));
  return redis;
}

/** How long a connection may take to say goodbye (QUIT) before it is dropped, ms. */
const REDIS_QUIT_TIMEOUT_MS = 2_000;

/**
 * Closes a connection: QUIT, or after REDIS_QUIT_TIMEOUT_MS a plain disconnect. A Cluster client sends
 * QUIT to every node it knows, and a node that died (a failed-over master) would hold it forever: a
 * worker connection (maxRetriesPerRequest null) queues the QUIT until that node comes back.
 */
export async function quitRedis(redis: RedisConnection): Promise<void> {
  const quit = redis.quit().then(
    () => undefined,
    () => undefined,
  );
  try {
    await withTimeout(quit, REDIS_QUIT_TIMEOUT_MS, 'Redis QUIT');
  } catch {
    redis.disconnect();
  }
}

export function createQueue(
  name: string,
  o: { connection: RedisConnection; queuePrefix: string; onError?: (e: Error) => void },
): Queue {
  const queue = new Queue(name, { connection: o.connection, prefix: bullPrefix(o.queuePrefix, name) });
  queue.on('error', o.onError ?? (() => {}));
  return queue;
}

/**
 * Reports a connection problem at most once per interval, so an outage is one clear log line a minute
 * instead of a stack trace per reconnection attempt.
 */
export function createThrottledWarning(warn: (e: Error) => void, intervalMs = 60_000): (e: Error) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    warn(e);
  };
}

/** Deletes every key under a queue prefix (the end of a demo or benchmark run); never the whole database. */
export async function deleteQueueKeys(redis: RedisConnection, queuePrefix: string): Promise<number> {
  // A cluster's keys live on its masters: scan each one. A new Cluster client knows its masters only
  // once it has read the slot map, so it answers a PING first.
  if (redis instanceof Cluster && redis.status !== 'ready') await redis.ping();
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', bullKeyPattern(queuePrefix), 'COUNT', '1000');
      cursor = next;
      // One DEL per key: in a cluster the keys of one batch may sit in different slots.
      for (const key of keys) deleted += await redis.del(key);
    } while (cursor !== '0');
  }
  return deleted;
}

/** A repeating job the scheduler role creates (idempotently, by id) and runs. */
export interface ScheduledJob {
  /** Scheduler id (stable: it is what makes creation idempotent). */
  id: string;
  name: JobName;
  repeat: Omit<RepeatOptions, 'key'>;
  data?: Record<string, unknown>;
  run(job: Job): Promise<unknown>;
}

/** A queue's jobs as support pages count them. */
export interface QueueCounts {
  /** Waiting, prioritized (request jobs carry priorities) and waiting for children. */
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/**
 * A queue as the support pages read it: its name, its job counts and bull-board's adapter of it. Made
 * here over BullMQ's Queue, so src/support never speaks the queue library's API.
 */
export interface QueueReader {
  readonly name: string;
  counts(): Promise<QueueCounts>;
  /**
   * bull-board's view of the queue; with readOnlyMode nobody can retry, promote or remove its jobs.
   * displayName and description are shown instead of the bare name (as text).
   */
  boardAdapter(o: { readOnlyMode: boolean; displayName?: string; description?: string }): BullMQAdapter;
  close(): Promise<void>;
}

/** The support pages' reader of a queue (closing it closes the queue). */
export function readQueue(queue: Queue): QueueReader {
  return {
    name: queue.name,
    async counts() {
      const c = await queue.getJobCounts(
        'waiting',
        'prioritized',
        'waiting-children',
        'active',
        'delayed',
        'failed',
      );
      return {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
      };
    },
    boardAdapter: ({ readOnlyMode, ...names }) =>
      new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode, ...names }),
    close: () => queue.close(),
  };
}

/**
 * Where the queues live (QUEUE_BACKEND). Redis Cluster is the redis kind with REDIS_CLUSTER_NODES set;
 * another store would add one case to createQueueConnection.
 */
export const QUEUE_BACKENDS = ['redis', 'postgres'] as const;
export type QueueBackendKind = (typeof QUEUE_BACKENDS)[number];

/**
 * The queue store's name where a check or gauge reports it (/readyz key, lrs_relay_scrape_up source):
 * `redis`, or `queues` when the queues live in Postgres (whose own check is `postgres`).
 */
export function queueStoreKey(backend: QueueBackendKind | undefined): 'redis' | 'queues' {
  return backend === 'postgres' ? 'queues' : 'redis';
}

/** The queue store in a sentence: "Redis" or "the Postgres queue schema". */
export function queueStoreName(backend: QueueBackendKind | undefined): string {
  return backend === 'postgres' ? 'the Postgres queue schema' : 'Redis';
}

/**
 * A worker's name, as bull-board shows it under each queue: what it runs, on which host and process
 * (`single-3@relay1:4242`). It ends the worker's Redis connection name (after `:w:`), which
 * `Queue.getWorkers()` looks for; Redis refuses a connection name with a space, so the worker would
 * stay unnamed and every queue would show "No workers".
 */
export function workerName(what: string): string {
  return `${what}@${hostname()}:${process.pid}`.replace(/[^A-Za-z0-9._@:-]/g, '_');
}

/** Worker options without the store-specific parts (connection, key prefix), which the connection adds. */
export type QueueWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

/**
 * The queue store of one process. Every Queue and Worker is made here, so roles, sweeps and the
 * dashboard run unchanged on either backend.
 */
export interface QueueConnection {
  readonly backend: QueueBackendKind;
  /** Where the queues are, for messages: a URL without its password, or a schema name. */
  readonly where: string;
  /** A new Queue on this store (the caller closes it). Errors go to the connection's onError. */
  createQueue(name: string): Queue;
  /** A new reader of one queue for the support pages (the caller closes it). */
  createQueueReader(name: string): QueueReader;
  /** A new Worker on this store (the caller closes it). */
  createWorker(name: string, processor: Processor, options: QueueWorkerOptions): Worker;
  /** Resolves when the store answers (and, for Postgres, its schema is migrated); rejects otherwise. */
  ping(): Promise<void>;
  /** Deletes every job of this store's queues (end of a demo or benchmark run); returns how many rows or keys. */
  deleteAll(): Promise<number>;
  /** Closes the connections this object opened (not the queues and workers made from it). */
  close(): Promise<void>;
}

export interface QueueConnectionOptions {
  config: {
    QUEUE_BACKEND: QueueBackendKind;
    REDIS_URL: string;
    REDIS_CLUSTER_NODES?: readonly { host: string; port: number }[] | undefined;
    QUEUE_PREFIX: string;
    DATABASE_URL: string;
    QUEUE_SCHEMA: string;
    DATABASE_STATEMENT_TIMEOUT_MS: number;
  };
  /** Tag on connection names (Redis CLIENT LIST, Postgres application_name); tests find leaks by it. */
  tag: string;
  /** Connection problems (reconnection attempts included); default: ignored. */
  onError?: (e: Error) => void;
}

/** Builds the queue store QUEUE_BACKEND names. Opens no connection until first use. */
export function createQueueConnection(o: QueueConnectionOptions): QueueConnection {
  switch (o.config.QUEUE_BACKEND) {
    case 'redis':
      return createRedisQueueConnection(o);
    case 'postgres':
      return createPostgresQueueConnection(o);
  }
}

function createRedisQueueConnection(o: QueueConnectionOptions): QueueConnection {
  const { config, tag } = o;
  const onError = o.onError ?? (() => {});
  // Producers fail fast when Redis is down; workers block (BullMQ needs maxRetriesPerRequest null).
  const redis = createRedis({
    target: config,
    connectionName: `${tag}:queue`,
    forWorker: false,
    onError,
  });
  const workerRedis = createRedis({
    target: config,
    connectionName: `${tag}:worker`,
    forWorker: true,
    onError,
  });
  return {
    backend: 'redis',
    where: config.REDIS_CLUSTER_NODES?.length
      ? `Redis Cluster ${config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',')}`
      : redactUrl(config.REDIS_URL),
    createQueue: (name) =>
      createQueue(name, { connection: redis, queuePrefix: config.QUEUE_PREFIX, onError }),
    createQueueReader: (name) =>
      readQueue(createQueue(name, { connection: redis, queuePrefix: config.QUEUE_PREFIX, onError })),
    createWorker: (name, processor, options) =>
      new Worker(name, processor, {
        ...options,
        connection: workerRedis,
        prefix: bullPrefix(config.QUEUE_PREFIX, name),
      }),
    async ping() {
      await redis.ping();
    },
    deleteAll: () => deleteQueueKeys(redis, config.QUEUE_PREFIX),
    async close() {
      await Promise.all([quitRedis(redis), quitRedis(workerRedis)]);
    },
  };
}

/**
 * BullMQ 6.7's Postgres backend and connection each remember their first readiness check, a failed one
 * too: a worker or queue whose first use met Postgres down kept failing in silence after it came back
 * (the worker's fetch loop retries connection errors without a word). This makes a failed check
 * forgotten, so the next use checks again. `target` is a PostgresConnection or PostgresQueueBackend.
 */
export function retryFailedReadiness(target: object): void {
  const t = target as { readyPromise?: Promise<void>; waitUntilReady(): Promise<void> };
  const waitUntilReady = t.waitUntilReady.bind(t);
  t.waitUntilReady = () =>
    waitUntilReady().catch((e: unknown) => {
      t.readyPromise = undefined;
      throw e;
    });
}

/** Connections of the shared producer pool (queues, sweeps, dashboard counts). */
const POSTGRES_QUEUE_POOL_SIZE = 4;

/**
 * A BullMQ PostgresConnection whose clients cannot crash the process. BullMQ guards its pool's idle
 * clients only: a client it has checked out (a transaction between two statements) whose backend is
 * killed or restarted emits 'error' with no listener, which Node turns into an uncaught exception (seen
 * in the reliability test that kills Postgres connections). Each client now reports to `onError`; the
 * statement it runs next fails instead, and BullMQ retries it.
 */
export function guardedPostgresConnection(
  options: PostgresConnectionOptions,
  onError: (e: Error) => void,
): PostgresConnection {
  const connection = new PostgresConnection(options);
  connection.pool.on('connect', (client) => client.on('error', onError));
  connection.on('error', onError);
  return connection;
}

/**
 * BullMQ's Postgres backend, in its own schema of DATABASE_URL. Queues share one connection (a small
 * pool); each Worker owns one as BullMQ's factory builds it (a pool sized to its concurrency, at most
 * 4, plus one LISTEN connection), since a LISTEN connection serves one waiting worker.
 */
function createPostgresQueueConnection(o: QueueConnectionOptions): QueueConnection {
  const { config, tag } = o;
  const onError = o.onError ?? (() => {});
  const base = {
    connectionString: config.DATABASE_URL,
    schema: config.QUEUE_SCHEMA,
    statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
  };
  const shared = guardedPostgresConnection(
    { ...base, max: POSTGRES_QUEUE_POOL_SIZE, application_name: `${tag}:queue` },
    onError,
  );
  retryFailedReadiness(shared);
  const queueFactory: BackendFactory<PostgresQueueBackend, PostgresConnectionOptions> = (name, opts) => {
    const backend = new PostgresQueueBackend(shared, name, opts, false);
    retryFailedReadiness(backend);
    return backend;
  };
  const workerFactory: BackendFactory<PostgresQueueBackend, PostgresConnectionOptions> = (
    name,
    opts,
    factoryOptions,
  ) => {
    const concurrency = (opts as { concurrency?: number }).concurrency ?? 1;
    const options = {
      ...base,
      max: Math.max(2, Math.min(4, concurrency)),
      application_name: `${tag}:worker`,
    };
    const connection = guardedPostgresConnection(options, onError);
    retryFailedReadiness(connection);
    // Named as BullMQ's createPostgresBackend names a worker's LISTEN connection (getWorkers finds it so).
    const workerName = (opts as { name?: string }).name;
    const listenName = factoryOptions?.withBlockingConnection
      ? `${name}${workerName ? `:w:${workerName}` : ''}`
      : factoryOptions?.blocking
        ? `${name}:qe`
        : undefined;
    const backend = new PostgresQueueBackend(
      connection,
      name,
      { ...opts, connection: options },
      true,
      listenName,
    );
    retryFailedReadiness(backend);
    return backend;
  };
  const schema = quoteSchemaName(config.QUEUE_SCHEMA);
  const createPostgresQueue = (name: string): Queue => {
    // The public Queue API is the same on both backends; only the backend type parameter differs.
    const queue = new Queue(name, { connection: shared.pool }, queueFactory) as unknown as Queue;
    queue.on('error', onError);
    return queue;
  };
  return {
    backend: 'postgres',
    where: `Postgres schema ${config.QUEUE_SCHEMA}`,
    createQueue: createPostgresQueue,
    createQueueReader: (name) => readQueue(createPostgresQueue(name)),
    createWorker: (name, processor, options) =>
      new Worker(name, processor, { ...options, connection: base }, workerFactory) as unknown as Worker,
    async ping() {
      await shared.waitUntilReady();
      await shared.pool.query('select 1');
    },
    async deleteAll() {
      const r = await shared.pool.query(`delete from ${schema}.job`);
      await shared.pool.query(
        `truncate ${schema}.job_log, ${schema}.job_dependency, ${schema}.event, ${schema}.metrics,
                  ${schema}.rate_limit, ${schema}.dedup, ${schema}.dedup_next, ${schema}.scheduler, ${schema}.meta`,
      );
      return r.rowCount ?? 0;
    },
    close: () => shared.close(),
  };
}

/**
 * The queue tables the dashboard reads, and nothing more: `migration` (BullMQ's readiness check reads
 * its version), `job` and `meta` (job counts per queue, paused or not). Jobs carry ids only.
 */
export const QUEUE_TABLES_SUPPORT_READS = ['migration', 'job', 'meta'] as const;

/**
 * Creates (or brings up to date) BullMQ's Postgres schema under BullMQ's own advisory lock; safe to run
 * twice or at once. `client` must be one session (a pg.Client or a checked-out pool client). Then lets
 * lrs_support (the dashboard's login, docs/security.md) read what the dashboard shows: granted here, on
 * every run, rather than by default privileges, so a table a BullMQ upgrade re-creates is granted again
 * and a table it adds is not granted at all until it is listed above.
 */
export async function migrateQueueSchema(client: pg.ClientBase, schema: string): Promise<number> {
  const version = await runMigrations(client, schema);
  const quoted = quoteSchemaName(schema);
  const tables = QUEUE_TABLES_SUPPORT_READS.map((t) => `${quoted}.${t}`).join(', ');
  await client.query(
    `grant usage on schema ${quoted} to lrs_support; grant select on ${tables} to lrs_support`,
  );
  return version;
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
