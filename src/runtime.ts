/**
 * The composition root of a relay process: builds the real dependencies once (pool, Redis, metrics,
 * organisation directory, LRS clients) and starts the roles asked for. `close()` shuts down once, in
 * order, time-boxed: stop fetching, drain jobs, close queues, end the pool, quit Redis.
 */
import type { Queue } from 'bullmq';
import type { QueueConnection } from './queues.ts';
import type { Config } from './config.ts';
import { createDatabase, type Database } from './db/pool.ts';
import type { Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createOrganisationDirectory } from './orgs/directory.ts';
import { createLrsClients, type CreateLrsClientsOptions, type LrsClients } from './orgs/clients.ts';
import { OutboxRelay } from './producers/outbox-relay.ts';
import { createQueue, createRedis, createThrottledWarning, JOBS, QUEUES, singleQueueName } from './queues.ts';
import { reconcileRequests } from './requests/reconcile.ts';
import { purgePersonalData } from './requests/retention.ts';
import { Scheduler, type ScheduledJob } from './schedulers/scheduler.ts';
import { startDashboard } from './support/dashboard-role.ts';
import { batchScheduledJobs, startBatchWorkers } from './workers/batch-role.ts';
import { DEFAULT_PROCESSOR_OPTIONS, type ProcessorOptions } from './requests/processors.ts';
import { DEFAULT_RETRY_POLICY, maxAttempts, type RetryPolicy } from './codes/retry-policy.ts';
import { SingleWorkers } from './workers/single-workers.ts';
import { errorMessage } from './errors.ts';

export const ROLES = ['producer', 'worker', 'scheduler', 'dashboard'] as const;
export type Role = (typeof ROLES)[number];

export interface StartRelayOptions {
  config: Config;
  roles: readonly Role[];
  log: Logger;
  /** Overrides for tests (short delays). */
  retryPolicy?: RetryPolicy;
  processorOptions?: Partial<ProcessorOptions>;
  /** Where `env:NAME` secret references are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Tag added to connection names (tests find leaked connections by it). */
  connectionTag?: string;
  /** Makes the LRS clients (tests pass a fake; default the real client). */
  createLrsClient?: CreateLrsClientsOptions['createClient'];
}

export interface Relay {
  database: Database;
  metrics: Metrics;
  clients: LrsClients;
  queueFor(organisationId: number): Queue;
  /** The batch queue (submit and poll jobs). */
  batchQueue: Queue;
  outbox?: OutboxRelay | undefined;
  /** Where the dashboard listens, when this process runs the dashboard role. */
  dashboardUrl?: string | undefined;
  /** Shuts everything down once; later calls wait for the first. */
  close(): Promise<void>;
}

export async function startRelay(o: StartRelayOptions): Promise<Relay> {
  const { config, log } = o;
  const tag = o.connectionTag ?? 'lrs-relay';
  const policy = o.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const roles = new Set(o.roles);
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: `${tag} pool`,
  });
  const metrics = createMetrics();
  const directory = createOrganisationDirectory({ db: database.db, config, log, env: o.env });
  const clients = createLrsClients({
    directory,
    config,
    log,
    onCall: (e) => metrics.recordCall(e),
    createClient: o.createLrsClient,
  });
  const onRedisError = createThrottledWarning((e) =>
    log.warn(
      { err: e },
      'Redis does not answer; work in flight waits and resumes when it is back (check REDIS_URL)',
    ),
  );
  const redis: QueueConnection = createRedis({
    url: config.REDIS_URL,
    clusterNodes: config.REDIS_CLUSTER_NODES,
    connectionName: `${tag}:queue`,
    forWorker: false,
    onError: onRedisError,
  });
  const workerRedis: QueueConnection = createRedis({
    url: config.REDIS_URL,
    clusterNodes: config.REDIS_CLUSTER_NODES,
    connectionName: `${tag}:worker`,
    forWorker: true,
    onError: onRedisError,
  });
  const queues = new Map<number, Queue>();
  const queueFor = (organisationId: number): Queue => {
    let q = queues.get(organisationId);
    if (!q) {
      q = createQueue(singleQueueName(organisationId), {
        connection: redis,
        queuePrefix: config.QUEUE_PREFIX,
        onError: onRedisError,
      });
      queues.set(organisationId, q);
    }
    return q;
  };
  const batchQueue = createQueue(QUEUES.batch, {
    connection: redis,
    queuePrefix: config.QUEUE_PREFIX,
    onError: onRedisError,
  });

  const closers: (() => Promise<void>)[] = [];
  let outbox: OutboxRelay | undefined;
  let dashboardUrl: string | undefined;
  try {
    await checkReachable(database, redis, config);
    if (roles.has('worker')) {
      const workers = new SingleWorkers({
        pool: database.pool,
        connection: workerRedis,
        queuePrefix: config.QUEUE_PREFIX,
        clients,
        log,
        metrics,
        policy,
        processorOptions: { ...DEFAULT_PROCESSOR_OPTIONS, ...o.processorOptions },
        maxConcurrency: config.WORKER_CONCURRENCY,
        defaultRateLimitPerSecond: config.RATE_LIMIT_PER_SECOND,
        lockDurationMs: config.WORKER_LOCK_DURATION_MS,
      });
      await workers.start();
      closers.push(() => workers.close(config.SHUTDOWN_TIMEOUT_MS));
      const batches = startBatchWorkers({
        config,
        pool: database.pool,
        clients,
        log,
        metrics,
        policy,
        queue: batchQueue,
        connection: workerRedis,
      });
      closers.push(() => batches.close(config.SHUTDOWN_TIMEOUT_MS));
    }
    if (roles.has('scheduler')) {
      const jobs: ScheduledJob[] = [
        {
          id: 'reconcile',
          name: JOBS.reconcile,
          repeat: { every: config.RECONCILE_INTERVAL_MS },
          run: async () => {
            const result = await reconcileRequests({
              pool: database.pool,
              queueFor,
              log,
              staleMs: config.RECONCILE_STALE_MS,
              maxTotalAttempts: maxAttempts(policy) * 3,
            });
            metrics.reconciled.inc({ outcome: 'requeued' }, result.requeued);
            metrics.reconciled.inc({ outcome: 'failed' }, result.failed);
            return result;
          },
        },
        {
          id: 'retention-purge',
          name: JOBS.retentionPurge,
          repeat: { every: config.RETENTION_PURGE_INTERVAL_MS },
          run: async () => {
            const result = await purgePersonalData({
              pool: database.pool,
              log,
              settings: {
                requestDays: config.RETENTION_REQUEST_DAYS,
                learningEventDays: config.RETENTION_LEARNING_EVENT_DAYS,
                chunk: config.RETENTION_PURGE_CHUNK,
              },
            });
            metrics.retentionPurged.inc({ table: 'request' }, result.requests);
            metrics.retentionPurged.inc({ table: 'learning_event' }, result.learningEvents);
            return result;
          },
        },
        ...batchScheduledJobs({ config, pool: database.pool, log, policy, queue: batchQueue }),
      ];
      const scheduler = new Scheduler({
        connection: workerRedis,
        queuePrefix: config.QUEUE_PREFIX,
        log,
        jobs,
        resyncIntervalMs: Math.min(config.RECONCILE_INTERVAL_MS, 60_000),
      });
      await scheduler.start();
      closers.push(() => scheduler.close());
    }
    if (roles.has('dashboard')) {
      const dashboard = await startDashboard({ db: database, redis, config, log, metrics }).catch(
        (e: unknown) => {
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
          throw new Error(
            `the dashboard cannot listen on ${config.DASHBOARD_HOST}:${config.DASHBOARD_PORT}: the port is in use. ` +
              'Stop what uses it, or set DASHBOARD_PORT to a free port (or run without --role dashboard).',
            { cause: e },
          );
        },
      );
      dashboardUrl = dashboard.url;
      closers.push(() => dashboard.close());
    }
    if (roles.has('producer')) {
      outbox = new OutboxRelay({
        pool: database.pool,
        databaseUrl: config.DATABASE_URL,
        queueFor,
        log,
        policy,
        pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
        autoBatchThreshold: config.AUTO_BATCH_THRESHOLD,
      });
      await outbox.start();
      const started = outbox;
      closers.push(() => started.close());
    }
  } catch (e) {
    await shutdown();
    throw e;
  }

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    // Producer first (stop feeding), then schedulers and workers (drain), then connections.
    for (const close of closers.reverse()) {
      await close().catch((e: unknown) => log.error({ err: e }, 'error while shutting down'));
    }
    await Promise.allSettled([...queues.values(), batchQueue].map((q) => q.close()));
    await clients.close();
    await database.close();
    await Promise.allSettled([redis.quit(), workerRedis.quit()]);
  }

  return {
    database,
    metrics,
    clients,
    queueFor,
    batchQueue,
    outbox,
    dashboardUrl,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

/**
 * Fails start-up at once, with what to do, when Postgres or Redis does not answer: a process that
 * started half-connected would only retry in silence. (Outages after start-up are waited out.)
 */
async function checkReachable(database: Database, redis: QueueConnection, config: Config): Promise<void> {
  const within = <T>(p: Promise<T>, what: string): Promise<T> =>
    Promise.race([
      p,
      new Promise<never>((_r, reject) =>
        setTimeout(() => reject(new Error(`${what} did not answer within 10 s`)), 10_000).unref(),
      ),
    ]);
  try {
    await within(database.pool.query('select 1'), 'Postgres');
  } catch (e) {
    throw new Error(
      `cannot reach Postgres at ${redactUrl(config.DATABASE_URL)} (${errorMessage(e)}): start it, or set DATABASE_URL`,
      { cause: e },
    );
  }
  try {
    await within(redis.ping(), 'Redis');
  } catch (e) {
    throw new Error(
      config.REDIS_CLUSTER_NODES
        ? `cannot reach the Redis Cluster at ${config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(', ')} (${errorMessage(e)}): start it, or set REDIS_CLUSTER_NODES`
        : `cannot reach Redis at ${redactUrl(config.REDIS_URL)} (${errorMessage(e)}): start it, or set REDIS_URL`,
      { cause: e },
    );
  }
}

/** A connection URL without its password, for messages. */
function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
