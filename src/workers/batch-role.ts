/**
 * How batch work plugs into a relay process (src/runtime.ts): the worker role gets the assembler and
 * the batch queue's worker; the scheduler role gets the batch sweep and the nightly ULN acquisition.
 */
import type { Job, Queue } from 'bullmq';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { JOBS, parseJobData } from '../queues/catalogue.ts';
import type { QueueConnection } from '../queues/connection.ts';
import { acquireUlns, nightlyRunKey } from '../batches/acquire-ulns.ts';
import { completeRunIfDone, listOpenAcquisitionRuns } from '../db/acquisition.ts';
import { sweepBatches } from '../batches/sweep.ts';
import type { ScheduledJob } from '../queues/catalogue.ts';
import { BatchWorkers } from './batch-workers.ts';
import { maxAttempts, type RetryPolicy } from '../codes/retry-policy.ts';
import type { OrganisationClients } from '../requests/run.ts';

export interface BatchRoleOptions {
  config: Config;
  pool: pg.Pool;
  clients: OrganisationClients;
  log: Logger;
  /** Batch results count in the request-outcome metric, as single calls do. */
  metrics: Metrics;
  policy: RetryPolicy;
  queue: Queue;
  /** The queue store the batch worker runs on. */
  queues: QueueConnection;
}

/** Starts the assembler and the batch queue's worker. */
export function startBatchWorkers(o: BatchRoleOptions): BatchWorkers {
  const c = o.config;
  const workers = new BatchWorkers({
    pool: o.pool,
    clients: o.clients,
    queue: o.queue,
    log: o.log.child({ role: 'batch' }),
    metrics: o.metrics,
    policy: o.policy,
    pollInitialMs: c.BATCH_POLL_INITIAL_MS,
    pollMaxMs: c.BATCH_POLL_MAX_MS,
    pollGiveUpMs: c.BATCH_POLL_GIVE_UP_MS,
    fanOutChunk: c.BATCH_FANOUT_CHUNK,
    retryDelayMs: c.BATCH_RETRY_DELAY_MS,
    queues: o.queues,
    concurrency: c.BATCH_CONCURRENCY,
    lockDurationMs: c.WORKER_LOCK_DURATION_MS,
    assembler: {
      limits: {
        register: c.BATCH_LIMIT_REGISTRATION,
        verify: c.BATCH_LIMIT_VERIFY,
        achievement: c.BATCH_LIMIT_ACHIEVEMENT,
      },
      windowMs: c.BATCH_WINDOW_MS,
      autoBatchThreshold: c.AUTO_BATCH_THRESHOLD,
      intervalMs: c.BATCH_ASSEMBLE_INTERVAL_MS,
    },
  });
  workers.start();
  return workers;
}

/** The batch sweep and the nightly acquisition, for the scheduler role. */
export function batchScheduledJobs(
  o: Omit<BatchRoleOptions, 'clients' | 'queues' | 'metrics'>,
): ScheduledJob[] {
  const c = o.config;
  return [
    {
      id: 'batch-sweep',
      name: JOBS.batchSweep,
      repeat: { every: c.BATCH_SWEEP_INTERVAL_MS },
      run: async () => {
        const result = await sweepBatches({
          pool: o.pool,
          queue: o.queue,
          log: o.log,
          staleMs: c.BATCH_SWEEP_INTERVAL_MS,
          submitAttempts: maxAttempts(o.policy),
        });
        for (const runKey of await listOpenAcquisitionRuns(o.pool)) await completeRunIfDone(o.pool, runKey);
        return result;
      },
    },
    {
      id: 'acquire-ulns',
      name: JOBS.acquireUlns,
      repeat: { pattern: c.ACQUIRE_ULNS_CRON, tz: 'Europe/London' },
      run: async (job: Job) => {
        const data = parseJobData(JOBS.acquireUlns, job.data);
        // The slot this run was scheduled for, so a second scheduler firing for the same night gets the same key.
        const slot = job.timestamp + (job.opts.delay ?? 0);
        // One run per night and organisation: a per-organisation run keys on both, so runs for two
        // organisations the same night do not take each other's key.
        const night = nightlyRunKey(slot);
        return acquireUlns({
          pool: o.pool,
          log: o.log,
          view: c.ACQUIRE_ULNS_VIEW,
          runKey: data.organisation === undefined ? night : `${night}:${data.organisation}`,
          chunkSize: c.ACQUIRE_ULNS_CHUNK,
          organisation: data.organisation,
        });
      },
    },
  ];
}
