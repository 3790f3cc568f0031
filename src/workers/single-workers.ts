/**
 * The single-call workers: one BullMQ Worker per organisation on that organisation's queue, so one
 * organisation's backlog never starves another's. Concurrency is the organisation's share (capped by
 * WORKER_CONCURRENCY) and its rate limit is global across processes (BullMQ limiter per queue).
 * New organisations are picked up by a periodic refresh.
 */
import { setMaxListeners } from 'node:events';
import type { Job, Worker } from 'bullmq';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { JOBS, singleQueueName, workerName } from '../queues/catalogue.ts';
import type { QueueConnection } from '../queues/connection.ts';
import { createBatcher, type Batcher } from '../db/batcher.ts';
import type { ProcessorOptions } from '../requests/processors.ts';
import { completeRequests, startAttempts, type Completion, type RequestRow } from '../db/requests.ts';
import { listEnabledOrganisationLimits, type OrganisationLimits } from '../db/organisations.ts';
import { runRequestJob, type OrganisationClients } from '../requests/run.ts';
import { RetryableJobError } from '../requests/job-steps.ts';
import type { RetryPolicy } from '../codes/retry-policy.ts';
import { backoffStrategy, carryOutSteps } from './job-steps.ts';

export interface SingleWorkersOptions {
  pool: pg.Pool;
  /** The queue store the workers run on. */
  queues: QueueConnection;
  clients: OrganisationClients;
  log: Logger;
  metrics: Metrics;
  policy: RetryPolicy;
  processorOptions: ProcessorOptions;
  /** Upper bound on one organisation's concurrency in this process. */
  maxConcurrency: number;
  /** Calls per second per organisation queue when the organisation sets none. */
  defaultRateLimitPerSecond: number;
  /** Job lock duration (and stalled-job check interval), ms. */
  lockDurationMs: number;
  /** How often to look for new organisations, ms (default 30 s). */
  refreshIntervalMs?: number;
}

export class SingleWorkers {
  private readonly workers = new Map<number, { worker: Worker; abort: AbortController }>();
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  // Every job of every organisation in this process shares these, so concurrent jobs share round trips.
  private readonly attempts: Batcher<number, RequestRow | undefined>;
  private readonly completions: Batcher<Completion, boolean>;

  constructor(private readonly o: SingleWorkersOptions) {
    this.attempts = createBatcher({ flush: (ids) => startAttempts(o.pool, ids) });
    this.completions = createBatcher({ flush: (items) => completeRequests(o.pool, items) });
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((e: unknown) =>
        this.o.log.error({ err: e }, 'refreshing organisation workers failed'),
      );
    }, this.o.refreshIntervalMs ?? 30_000);
    this.timer.unref();
  }

  /** Starts a worker for every organisation that has none yet. */
  async refresh(): Promise<void> {
    if (this.closing) return;
    for (const org of await listEnabledOrganisationLimits(this.o.pool)) {
      if (!this.workers.has(org.id)) this.startWorker(org);
    }
  }

  private startWorker(org: OrganisationLimits): void {
    const abort = new AbortController();
    // Every running job's LRS call listens on this one signal: as many listeners as the concurrency.
    setMaxListeners(0, abort.signal);
    const policy = this.o.policy;
    const log = this.o.log.child({ organisation: org.id });
    const worker: Worker = this.o.queues.createWorker(
      singleQueueName(org.id),
      async (job: Job, token?: string) =>
        carryOutSteps(worker, job, token, () =>
          runRequestJob(
            {
              pool: this.o.pool,
              clients: this.o.clients,
              log,
              metrics: this.o.metrics,
              policy,
              processorOptions: this.o.processorOptions,
              startAttempt: (id) => this.attempts.run(id),
              complete: (c) => this.completions.run(c),
            },
            job,
            abort.signal,
          ),
        ),
      {
        concurrency: Math.max(1, Math.min(org.concurrencyShare, this.o.maxConcurrency)),
        limiter: { max: org.rateLimitPerSecond ?? this.o.defaultRateLimitPerSecond, duration: 1_000 },
        name: workerName(`single-${org.id}`),
        lockDuration: this.o.lockDurationMs,
        stalledInterval: this.o.lockDurationMs,
        // A job whose worker died twice goes to failed; the reconcile sweep puts its request back.
        maxStalledCount: 2,
        settings: { backoffStrategy: backoffStrategy(policy) },
      },
    );
    worker.on('error', (e) => this.o.log.error({ err: e, organisation: org.id }, 'single worker error'));
    worker.on('failed', (job, e) => {
      if (job && !(e instanceof RetryableJobError)) {
        this.o.log.warn({ jobId: job.id, err: e, organisation: org.id }, 'request job failed unexpectedly');
      }
    });
    this.workers.set(org.id, { worker, abort });
    this.o.log.info(
      { organisation: org.id, queue: singleQueueName(org.id), job: JOBS.request },
      'single worker started',
    );
  }

  /** Stops taking jobs, waits for running ones up to timeoutMs, then aborts their LRS calls. */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    const all = [...this.workers.values()];
    const graceful = Promise.all(all.map(({ worker }) => worker.close()));
    const timer = setTimeout(() => {
      for (const { abort } of all) abort.abort();
    }, timeoutMs);
    try {
      await graceful;
    } finally {
      clearTimeout(timer);
    }
    await this.completions.drain();
  }
}
