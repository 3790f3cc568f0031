/**
 * The queues in Postgres (QUEUE_BACKEND=postgres): BullMQ's Postgres backend in its own schema of
 * DATABASE_URL, the QueueConnection over it, and the schema's migration with lrs_support's grants.
 */
import {
  PostgresConnection,
  PostgresQueueBackend,
  Queue,
  Worker,
  quoteSchemaName,
  runMigrations,
  type BackendFactory,
  type PostgresConnectionOptions,
} from 'bullmq';
import type pg from 'pg';
import { readQueue, type QueueConnection, type QueueConnectionOptions } from './connection.ts';

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
export function createPostgresQueueConnection(o: QueueConnectionOptions): QueueConnection {
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
