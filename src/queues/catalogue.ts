/**
 * The one catalogue of queues and jobs: queue names, job names, zod schemas for job data (ids only,
 * never personal data), job ids, and what a job's handler may read of its job and do with a queue.
 * Producers validate before enqueueing; workers parse `job.data` again, since data in the queue store
 * may predate a deploy.
 */
import { hostname } from 'node:os';
import type { Job, JobsOptions, RepeatOptions } from 'bullmq';
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

/** Default options for request jobs: completed jobs are dropped (Postgres keeps the record). */
export const REQUEST_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** A repeating job the scheduler role creates (idempotently, by id) and runs. */
export interface ScheduledJob {
  /** Scheduler id (stable: it is what makes creation idempotent). */
  id: string;
  name: JobName;
  repeat: Omit<RepeatOptions, 'key'>;
  data?: Record<string, unknown>;
  run(job: Job): Promise<unknown>;
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
