/**
 * The reconcile sweep: finds requests that are queued or in progress but whose job is gone (Redis was
 * flushed, a job was removed) or has given up, and puts them back to pending for the outbox relay.
 * A request that keeps coming back without an answer is failed once, with RETRIES_EXHAUSTED.
 */
import type pg from 'pg';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import type { Logger } from '../log.ts';
import { requestJobId, type JobQueue } from '../queues/catalogue.ts';
import {
  completeRequest,
  findStaleRequests,
  notifyOutbox,
  returnToPendingIfUnchanged,
} from '../db/requests.ts';
import { isLiveJobState } from '../queues/catalogue.ts';
import { resolutionFor } from './resolve.ts';
import { maxAttempts, type RetryPolicy } from '../codes/retry-policy.ts';

export interface ReconcileOptions {
  pool: pg.Pool;
  queueFor(organisationId: number): JobQueue;
  log: Logger;
  /** Only requests untouched for this long are checked, ms. */
  staleMs: number;
  /**
   * The retry policy: a lost request that has used as many attempts as any class allows (maxAttempts,
   * counted in lrs.request.attempts, the count the retry decision reads) is failed instead of re-queued.
   */
  policy: RetryPolicy;
  /** Rows per sweep (default 5000). */
  limit?: number;
}

export interface ReconcileResult {
  checked: number;
  requeued: number;
  failed: number;
}

export async function reconcileRequests(o: ReconcileOptions): Promise<ReconcileResult> {
  const rows = await findStaleRequests(o.pool, { staleMs: o.staleMs, limit: o.limit ?? 5_000 });

  const limit = maxAttempts(o.policy);
  const result: ReconcileResult = { checked: rows.length, requeued: 0, failed: 0 };
  for (const row of rows) {
    const state = await o.queueFor(row.organisationId).getJobState(requestJobId(row.id));
    if (isLiveJobState(state)) continue;
    if (row.attempts >= limit) {
      const res = resolutionFor(PIPELINE_CODES.RETRIES_EXHAUSTED, 'relay', {
        status: 'failed',
        description: `No answer could be stored after ${row.attempts} attempts (last job state: ${state}).`,
      });
      if (await completeRequest(o.pool, row, res, [])) result.failed++;
      continue;
    }
    // Any job left under this id blocks the re-enqueue (an add with a known id is ignored): a completed
    // or failed one, or a job hash with no list holding it (state unknown), which a partial loss of the
    // queue store leaves behind. Remove it first, while the request is still queued and no relay adds it.
    await o
      .queueFor(row.organisationId)
      .remove(requestJobId(row.id))
      .catch(() => 0);
    // Only if nobody touched it since we looked (the job may have just finished).
    if (await returnToPendingIfUnchanged(o.pool, row)) result.requeued++;
  }
  if (result.requeued > 0) await notifyOutbox(o.pool, 'reconcile');
  if (result.requeued + result.failed > 0) o.log.info(result, 'reconcile sweep re-queued lost requests');
  return result;
}
