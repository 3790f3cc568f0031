/**
 * The composition root of a relay process: builds the real dependencies once (pool, queue store,
 * metrics, organisation directory, LRS clients) and starts the roles asked for. `close()` shuts down
 * once, in order, time-boxed: stop fetching, drain jobs, close queues, end the pool, close the queue store.
 */
import type { Queue } from 'bullmq';
import type { Config, Role } from './config.ts';
import { createDatabase, type Database } from './db/pool.ts';
import type { Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createOrganisationDirectory } from './orgs/directory.ts';
import { createLrsClients, type CreateLrsClientsOptions, type LrsClients } from './orgs/clients.ts';
import { OutboxRelay } from './producers/outbox-relay.ts';
import { QUEUES, singleQueueName } from './queues/catalogue.ts';
import { createThrottledWarning, redactUrl, type QueueConnection } from './queues/connection.ts';
import { createQueueConnection } from './queues/store.ts';
import { Scheduler } from './schedulers/scheduler.ts';
import { createSchedule } from './schedulers/schedule.ts';
import { startDashboard } from './support/dashboard-role.ts';
import { createOrganisationTester } from './orgs/test-organisation.ts';
import { startBatchWorkers } from './workers/batch-role.ts';
import { DEFAULT_PROCESSOR_OPTIONS, type ProcessorOptions } from './requests/processors.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './codes/retry-policy.ts';
import { SingleWorkers } from './workers/single-workers.ts';
import { errorMessage } from './errors.ts';
import { withTimeout } from './timeout.ts';
import { readRoleReport, startHeartbeat, type Heartbeat } from './processes/heartbeat.ts';
import { startHealthServer } from './processes/health-server.ts';
import { startOrganisationChecks } from './orgs/availability.ts';

export { ROLES, type Role } from './config.ts';

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
  /** The queue store (Redis or Postgres) every queue and worker of this process is made on. */
  queueConnection: QueueConnection;
  outbox?: OutboxRelay | undefined;
  /** Where the dashboard listens, when this process runs the dashboard role. */
  dashboardUrl?: string | undefined;
  /** Where /healthz, /readyz and /metrics answer on HEALTH_PORT (a process without the dashboard role). */
  healthUrl?: string | undefined;
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
  const onQueueError = createThrottledWarning((e) =>
    log.warn(
      { err: e },
      config.QUEUE_BACKEND === 'redis'
        ? 'Redis does not answer; work in flight waits and resumes when it is back (check REDIS_URL)'
        : 'the queue schema in Postgres does not answer; work in flight waits and resumes when it is back',
    ),
  );
  const queueConnection = createQueueConnection({ config, tag, onError: onQueueError });
  const queues = new Map<number, Queue>();
  const queueFor = (organisationId: number): Queue => {
    let q = queues.get(organisationId);
    if (!q) {
      q = queueConnection.createQueue(singleQueueName(organisationId));
      queues.set(organisationId, q);
    }
    return q;
  };
  const batchQueue = queueConnection.createQueue(QUEUES.batch);

  const closers: (() => Promise<void>)[] = [];
  let outbox: OutboxRelay | undefined;
  let dashboardUrl: string | undefined;
  let healthUrl: string | undefined;
  let heartbeat: Heartbeat | undefined;
  const processes = {
    required: config.REQUIRED_ROLES,
    report: () => readRoleReport(database.pool, config.REQUIRED_ROLES),
  };
  try {
    await checkReachable(database, queueConnection, config);
    if (roles.has('worker')) {
      const workers = new SingleWorkers({
        pool: database.pool,
        queues: queueConnection,
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
      const checks = startOrganisationChecks({ directory, registry: metrics.registry, log });
      closers.push(() => checks.close());
      const batches = startBatchWorkers({
        config,
        pool: database.pool,
        clients,
        log,
        metrics,
        policy,
        queue: batchQueue,
        queues: queueConnection,
      });
      closers.push(() => batches.close(config.SHUTDOWN_TIMEOUT_MS));
    }
    if (roles.has('scheduler')) {
      const jobs = createSchedule({
        config,
        pool: database.pool,
        log,
        metrics,
        policy,
        queueFor,
        batchQueue,
      });
      const scheduler = new Scheduler({
        queues: queueConnection,
        log,
        jobs,
        resyncIntervalMs: Math.min(config.RECONCILE_INTERVAL_MS, 60_000),
      });
      await scheduler.start();
      closers.push(() => scheduler.close());
    }
    if (roles.has('dashboard')) {
      const dashboard = await startDashboard({
        db: database,
        queueConnection,
        config,
        log,
        metrics,
        checkOrganisation: (id) => directory.get(id),
        testOrganisation: createOrganisationTester({
          db: database.db,
          config,
          log,
          env: o.env ?? process.env,
          createClient: o.createLrsClient,
        }),
        certificateWarningDays: config.CERT_EXPIRY_WARNING_DAYS,
        processes,
      }).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        throw new Error(
          `the dashboard cannot listen on ${config.DASHBOARD_HOST}:${config.DASHBOARD_PORT}: the port is in use. ` +
            'Stop what uses it, or set DASHBOARD_PORT to a free port (or run without --role dashboard).',
          { cause: e },
        );
      });
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
    if (!roles.has('dashboard') && config.HEALTH_PORT !== undefined) {
      const health = await startHealthServer({
        config,
        port: config.HEALTH_PORT,
        db: database,
        queueConnection,
        metrics,
        roles: processes.report,
      }).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        throw new Error(
          `cannot serve /healthz, /readyz and /metrics on ${config.HEALTH_HOST}:${config.HEALTH_PORT}: the port is in use. ` +
            'Give each process its own HEALTH_PORT (or unset it).',
          { cause: e },
        );
      });
      healthUrl = health.url;
      closers.push(() => health.close());
      log.info({ url: health.url }, 'health endpoints listening');
    }
    // Recorded once the roles run, so a process that failed to start is never counted.
    heartbeat = await startHeartbeat({
      pool: database.pool,
      roles: [...roles],
      healthUrl: dashboardUrl ?? healthUrl,
      log,
    });
  } catch (e) {
    await shutdown();
    throw e;
  }

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    // No longer counted as running from the first moment of the shutdown.
    await heartbeat?.close();
    // Producer first (stop feeding), then schedulers and workers (drain), then connections.
    for (const close of closers.reverse()) {
      await close().catch((e: unknown) => log.error({ err: e }, 'error while shutting down'));
    }
    await Promise.allSettled([...queues.values(), batchQueue].map((q) => q.close()));
    await clients.close();
    await database.close();
    await queueConnection
      .close()
      .catch((e: unknown) => log.warn({ err: e }, 'closing the queue store failed'));
  }

  return {
    database,
    metrics,
    clients,
    queueFor,
    batchQueue,
    queueConnection,
    outbox,
    dashboardUrl,
    healthUrl,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

/**
 * What to do when the queue tables cannot be used: a login without the right to read them (42501) needs
 * a grant, not a migration; missing tables need `lrs-relay migrate`.
 */
function queueTablesAdvice(e: unknown, config: Config): string {
  if ((e as { code?: unknown } | null)?.code !== '42501')
    return 'run `lrs-relay migrate` with QUEUE_BACKEND=postgres, or set QUEUE_SCHEMA';
  let login = 'the login of DATABASE_URL';
  try {
    const user = decodeURIComponent(new URL(config.DATABASE_URL).username);
    if (user !== '') login = `the database login ${JSON.stringify(user)}`;
  } catch {
    // Config already checked the URL; keep the generic name.
  }
  return (
    `${login} may not read them. The dashboard role needs a login granted lrs_support ` +
    `(GRANT lrs_support TO <login>), which \`lrs-relay migrate\` with QUEUE_BACKEND=postgres lets read the ` +
    `queue tables the dashboard shows (run it once as the schema owner after upgrading); the producer, ` +
    `worker and scheduler roles run as the schema owner`
  );
}

/**
 * Fails start-up at once, with what to do, when Postgres or the queue store does not answer: a process
 * that started half-connected would only retry in silence. (Outages after start-up are waited out.)
 */
async function checkReachable(database: Database, queues: QueueConnection, config: Config): Promise<void> {
  const within = <T>(p: Promise<T>, what: string): Promise<T> =>
    withTimeout(p, 10_000, `${what} did not answer`);
  try {
    await within(database.pool.query('select 1'), 'Postgres');
  } catch (e) {
    throw new Error(
      `cannot reach Postgres at ${redactUrl(config.DATABASE_URL)} (${errorMessage(e)}): start it, or set DATABASE_URL`,
      { cause: e },
    );
  }
  try {
    await within(queues.ping(), queues.backend === 'redis' ? 'Redis' : 'the queue schema');
  } catch (e) {
    throw new Error(
      queues.backend === 'postgres'
        ? `cannot use the queue tables (${queues.where}: ${errorMessage(e)}): ${queueTablesAdvice(e, config)}`
        : config.REDIS_CLUSTER_NODES
          ? `cannot reach the Redis Cluster at ${config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(', ')} (${errorMessage(e)}): start it, or set REDIS_CLUSTER_NODES`
          : `cannot reach Redis at ${redactUrl(config.REDIS_URL)} (${errorMessage(e)}): start it, or set REDIS_URL`,
      { cause: e },
    );
  }
}
