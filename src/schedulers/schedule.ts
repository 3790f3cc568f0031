/**
 * The repeating jobs, all in one place: what each runs and how often. The scheduler role
 * (scheduler.ts) creates them and runs them on the `scheduler` queue; each job's logic lives with its
 * subject. A new repeating job adds its name and data schema to src/queues/catalogue.ts (JOBS,
 * JOB_DATA) and one entry here.
 */
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { JOBS, parseJobData, type JobQueue, type ScheduledJob } from '../queues/catalogue.ts';
import { jobAttemptsBound, type RetryPolicy } from '../codes/retry-policy.ts';
import { reconcileRequests } from '../requests/reconcile.ts';
import { purgePersonalData } from '../requests/retention.ts';
import { sweepBatches } from '../batches/sweep.ts';
import { acquireUlns, nightlyRunKey } from '../batches/acquire-ulns.ts';
import { completeRunIfDone, listOpenAcquisitionRuns } from '../db/acquisition.ts';

export interface ScheduleDeps {
  config: Config;
  pool: pg.Pool;
  log: Logger;
  metrics: Metrics;
  policy: RetryPolicy;
  /** The single-call queue of an organisation (the reconcile sweep asks it for lost jobs). */
  queueFor(organisationId: number): JobQueue;
  /** The batch queue (the batch sweep re-creates lost submit and poll jobs on it). */
  batchQueue: JobQueue;
}

/** The reconcile sweep, the retention purge, the batch sweep and the nightly ULN acquisition. */
export function createSchedule(d: ScheduleDeps): ScheduledJob[] {
  const c = d.config;
  return [
    {
      id: 'reconcile',
      name: JOBS.reconcile,
      repeat: { every: c.RECONCILE_INTERVAL_MS },
      run: async () => {
        const result = await reconcileRequests({
          pool: d.pool,
          queueFor: d.queueFor,
          log: d.log,
          staleMs: c.RECONCILE_STALE_MS,
          policy: d.policy,
        });
        d.metrics.reconciled.inc({ outcome: 'requeued' }, result.requeued);
        d.metrics.reconciled.inc({ outcome: 'failed' }, result.failed);
        return result;
      },
    },
    {
      id: 'retention-purge',
      name: JOBS.retentionPurge,
      repeat: { every: c.RETENTION_PURGE_INTERVAL_MS },
      run: async () => {
        const result = await purgePersonalData({
          pool: d.pool,
          log: d.log,
          settings: {
            requestDays: c.RETENTION_REQUEST_DAYS,
            learningEventDays: c.RETENTION_LEARNING_EVENT_DAYS,
            chunk: c.RETENTION_PURGE_CHUNK,
          },
        });
        d.metrics.retentionPurged.inc({ table: 'request' }, result.requests);
        d.metrics.retentionPurged.inc({ table: 'learning_event' }, result.learningEvents);
        return result;
      },
    },
    {
      id: 'batch-sweep',
      name: JOBS.batchSweep,
      repeat: { every: c.BATCH_SWEEP_INTERVAL_MS },
      run: async () => {
        const result = await sweepBatches({
          pool: d.pool,
          queue: d.batchQueue,
          log: d.log,
          staleMs: c.BATCH_SWEEP_INTERVAL_MS,
          submitAttempts: jobAttemptsBound(d.policy),
        });
        for (const runKey of await listOpenAcquisitionRuns(d.pool)) await completeRunIfDone(d.pool, runKey);
        return result;
      },
    },
    {
      id: 'acquire-ulns',
      name: JOBS.acquireUlns,
      repeat: { pattern: c.ACQUIRE_ULNS_CRON, tz: 'Europe/London' },
      run: async (job) => {
        const data = parseJobData(JOBS.acquireUlns, job.data);
        // The slot this run was scheduled for, so a second scheduler firing for the same night gets the same key.
        const slot = job.timestamp + (job.opts.delay ?? 0);
        // One run per night and organisation: a per-organisation run keys on both, so runs for two
        // organisations the same night do not take each other's key.
        const night = nightlyRunKey(slot);
        return acquireUlns({
          pool: d.pool,
          log: d.log,
          view: c.ACQUIRE_ULNS_VIEW,
          runKey: data.organisation === undefined ? night : `${night}:${data.organisation}`,
          chunkSize: c.ACQUIRE_ULNS_CHUNK,
          organisation: data.organisation,
        });
      },
    },
  ];
}
