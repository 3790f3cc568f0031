/**
 * The batch sweep: every open batch must have a live job in Redis — a submit job while it is
 * `assembled` or `submitting`, a poll job while it is `submitted` or `fetching`. A batch without one
 * (Redis flushed, an enqueue lost after the commit, a job failed) gets it back. The re-created submit
 * job of a `submitting` batch applies the in-doubt rule, never a blind resubmit (docs/batches.md).
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { batchJobId, isLiveJobState, type JobQueue } from '../queues/catalogue.ts';
import { findStaleBatches } from '../db/batches.ts';
import { enqueuePoll, enqueueSubmit } from './assemble.ts';

export interface BatchSweepOptions {
  pool: pg.Pool;
  queue: JobQueue;
  log: Logger;
  /** Only batches untouched this long are checked, ms (avoids racing a batch being created). */
  staleMs: number;
  submitAttempts: number;
  /** Batches per sweep (default 1000). */
  limit?: number;
}

export interface BatchSweepResult {
  checked: number;
  submitJobs: number;
  pollJobs: number;
}

export async function sweepBatches(o: BatchSweepOptions): Promise<BatchSweepResult> {
  const rows = await findStaleBatches(o.pool, { staleMs: o.staleMs, limit: o.limit ?? 1_000 });
  const result: BatchSweepResult = { checked: rows.length, submitJobs: 0, pollJobs: 0 };
  for (const row of rows) {
    const id = row.id;
    const isSubmit = row.status === 'assembled' || row.status === 'submitting';
    const jobId = batchJobId(isSubmit ? 'submit' : 'poll', id);
    const state = await o.queue.getJobState(jobId);
    if (isLiveJobState(state)) continue;
    // A finished job with the same id would make the new add a no-op.
    if (state === 'completed' || state === 'failed') await o.queue.remove(jobId).catch(() => 0);
    if (isSubmit) {
      await enqueueSubmit(o.queue, id, o.submitAttempts);
      result.submitJobs++;
    } else {
      await enqueuePoll(o.queue, id, 0);
      result.pollJobs++;
    }
  }
  if (result.submitJobs + result.pollJobs > 0) o.log.info(result, 'batch sweep re-created lost batch jobs');
  return result;
}
