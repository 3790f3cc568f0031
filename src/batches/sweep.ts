/**
 * The batch sweep: every open batch must have a live job in Redis — a submit job while it is
 * `assembled` or `submitting`, a poll job while it is `submitted` or `fetching`. A batch without one
 * (Redis flushed, an enqueue lost after the commit, a job failed) gets it back. The re-created submit
 * job of a `submitting` batch applies the in-doubt rule, never a blind resubmit (docs/batches.md).
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { batchJobId, isLiveJobState, type JobQueue } from '../queues/catalogue.ts';
import { findStaleBatches, stillAsSeen, type StaleBatch } from '../db/batches.ts';
import { enqueuePoll, enqueueSubmit } from './assemble.ts';

export interface BatchSweepOptions {
  pool: pg.Pool;
  queue: JobQueue;
  log: Logger;
  /** Only batches untouched this long are checked, ms (avoids racing a batch being created). */
  staleMs: number;
  /** BullMQ's attempts for a re-created submit job: a safety bound only (jobAttemptsBound). */
  submitAttempts: number;
  /** Batches per sweep (default 1000). */
  limit?: number;
}

export interface BatchSweepResult {
  checked: number;
  submitJobs: number;
  pollJobs: number;
}

/** Job states asked of the queue store at once (one round of concurrent calls instead of one call after another). */
const STATE_CHUNK = 100;

export async function sweepBatches(o: BatchSweepOptions): Promise<BatchSweepResult> {
  const rows = await findStaleBatches(o.pool, { staleMs: o.staleMs, limit: o.limit ?? 1_000 });
  const result: BatchSweepResult = { checked: rows.length, submitJobs: 0, pollJobs: 0 };
  const jobIdOf = (row: StaleBatch) => batchJobId(isSubmitStatus(row.status) ? 'submit' : 'poll', row.id);
  const lost: { row: StaleBatch; state: string }[] = [];
  for (let i = 0; i < rows.length; i += STATE_CHUNK) {
    const chunk = rows.slice(i, i + STATE_CHUNK);
    const states = await Promise.all(chunk.map((row) => o.queue.getJobState(jobIdOf(row))));
    chunk.forEach((row, j) => {
      const state = states[j] ?? 'unknown';
      if (!isLiveJobState(state)) lost.push({ row, state });
    });
  }
  // A job may have finished (and been removed) between the read and the look: only a batch nothing has
  // touched since is missing its job.
  const still = await stillAsSeen(
    o.pool,
    lost.map((l) => l.row),
  );
  for (const { row, state } of lost) {
    if (!still.has(row.id)) continue;
    const jobId = jobIdOf(row);
    // A finished job with the same id would make the new add a no-op.
    if (state === 'completed' || state === 'failed') await o.queue.remove(jobId).catch(() => 0);
    if (isSubmitStatus(row.status)) {
      await enqueueSubmit(o.queue, row.id, o.submitAttempts);
      result.submitJobs++;
    } else {
      await enqueuePoll(o.queue, row.id, 0);
      result.pollJobs++;
    }
  }
  if (result.submitJobs + result.pollJobs > 0) o.log.info(result, 'batch sweep re-created lost batch jobs');
  return result;
}

function isSubmitStatus(status: StaleBatch['status']): boolean {
  return status === 'assembled' || status === 'submitting';
}
