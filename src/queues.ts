/**
 * The one catalogue of queues and jobs: names, zod schemas for job data (ids only, never personal
 * data), and the Redis connections BullMQ needs. Producers validate before enqueueing; workers parse
 * `job.data` again, since data in Redis may predate a deploy.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { Queue, type Job, type JobsOptions, type RepeatOptions } from 'bullmq';
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

/** A connection BullMQ can use: one Redis server, or a Redis Cluster. */
export type QueueConnection = Redis | Cluster;

export interface RedisFactoryOptions {
  url: string;
  /** Redis Cluster start-up nodes (REDIS_CLUSTER_NODES); when given, `url` lends only credentials and TLS. */
  clusterNodes?: readonly { host: string; port: number }[] | undefined;
  /** Shown in CLIENT LIST; tests use it to find leaked connections. */
  connectionName: string;
}

/**
 * A Redis (or Redis Cluster) connection for BullMQ. Workers need maxRetriesPerRequest: null (blocking
 * commands); queues used by producers fail fast instead of hanging when Redis is down.
 */
export function createRedis(
  o: RedisFactoryOptions & { forWorker: boolean; onError?: (e: Error) => void },
): QueueConnection {
  const options: RedisOptions = {
    connectionName: o.connectionName,
    maxRetriesPerRequest: o.forWorker ? null : 3,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
  let redis: QueueConnection;
  if (o.clusterNodes?.length) {
    const u = new URL(o.url);
    redis = new Cluster([...o.clusterNodes], {
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
    redis = new Redis(o.url, options);
  }
  // Without a listener ioredis prints every failed reconnection; it keeps reconnecting either way.
  redis.on('error', o.onError ?? (() => {}));
  return redis;
}

export function createQueue(
  name: string,
  o: { connection: QueueConnection; queuePrefix: string; onError?: (e: Error) => void },
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
export async function deleteQueueKeys(redis: QueueConnection, queuePrefix: string): Promise<number> {
  // A cluster's keys live on its masters: scan each one.
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
