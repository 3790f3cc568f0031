/**
 * What happens to a batch's requests when the batch itself cannot give them an answer. One place, so
 * the submit job, the poll job and the sweep apply the same rules (docs/batches.md "When a batch fails"):
 *
 * - a kind with a single call (registration, verify; `hasSingleCall` in kinds.ts): the open requests go
 *   back as single calls (BATCH_FAILED_REQUEUED). A single register searches by demographics before it
 *   registers, so a learner the lost batch did register is found, not registered again; verifyLearner
 *   changes nothing at the LRS.
 * - a kind without one (achievement): loading twice is not harmless, so the open requests are settled
 *   needs_action with a code saying what is known, for a person to check the PLR and retry.
 */
import type pg from 'pg';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Resolution } from '../db/requests.ts';
import {
  insertBatchAudit,
  loadBatchRequestIds,
  moveBatch,
  requeueAsSingle,
  settleRequests,
  type BatchRow,
  type SettledRequest,
  type Settlement,
} from '../db/batches.ts';
import type { OrganisationClients } from '../requests/run.ts';
import type { RetryPolicy } from '../codes/retry-policy.ts';
import { resolutionFor } from '../requests/resolve.ts';
import type { OperationName } from '../lrs/messages.ts';
import type { JobQueue } from '../queues/catalogue.ts';
import { BATCH_KIND_SPECS } from './kinds.ts';

/** What the submit and poll jobs need. */
export interface BatchJobDeps {
  pool: pg.Pool;
  clients: OrganisationClients;
  queue: JobQueue;
  log: Logger;
  metrics: Metrics;
  policy: RetryPolicy;
  pollInitialMs: number;
  pollMaxMs: number;
  pollGiveUpMs: number;
  fanOutChunk: number;
}

/**
 * Settles requests of batch `batchId` in chunks and counts each one that changed status in the
 * request-outcome metric (kind, status, code), as a single call's finish() does. Returns changes per status.
 */
export function settleBatchRequests(
  deps: Pick<BatchJobDeps, 'pool' | 'metrics' | 'fanOutChunk'>,
  batchId: number,
  items: readonly Settlement[],
): Promise<Record<string, number>> {
  return settleRequests(deps.pool, items, {
    batchId,
    chunkSize: deps.fanOutChunk,
    onChanged: countOutcomes(deps.metrics),
  });
}

/** Adds settled requests to lrs_relay_request_outcomes_total. */
export function countOutcomes(
  metrics: Pick<Metrics, 'requestOutcomes'>,
): (changed: readonly SettledRequest[]) => void {
  return (changed) => {
    for (const c of changed) metrics.requestOutcomes.inc({ kind: c.kind, status: c.status, code: c.code });
  };
}

/**
 * Ends a batch that gave no per-learner answer: requeues its open requests as single calls, or settles
 * them with `settleWith` when its kind has no single call; then marks the batch failed.
 */
export async function abandonBatch(
  deps: BatchJobDeps,
  b: BatchRow,
  o: { code: string; reason: string; settleWith: Resolution },
): Promise<{ requeued: number; settled: number }> {
  let requeued = 0;
  let settled = 0;
  if (!BATCH_KIND_SPECS[b.kind].hasSingleCall) {
    const ids = await loadBatchRequestIds(deps.pool, b.id);
    const changed = await settleBatchRequests(
      deps,
      b.id,
      ids.map((requestId) => ({ requestId, resolution: o.settleWith })),
    );
    settled = Object.values(changed).reduce((a, n) => a + n, 0);
  } else {
    requeued = await requeueAsSingle(deps.pool, b.id, {
      code: PIPELINE_CODES.BATCH_FAILED_REQUEUED,
      reason: `batch ${b.id}: ${o.reason}; sent again as a single call`,
    });
  }
  await moveBatch(deps.pool, b.id, ['assembled', 'submitting', 'submitted', 'fetching'], 'failed', {
    lastCode: o.code,
    lastError: o.reason,
    counters: { requeued, settled },
  });
  deps.log.warn({ batchId: b.id, kind: b.kind, code: o.code, requeued, settled }, 'batch abandoned');
  return { requeued, settled };
}

/** The submission may have reached the LRS (crash during the call, or a timeout after sending). */
export function abandonInDoubt(
  deps: BatchJobDeps,
  b: BatchRow,
  why: string,
): Promise<{ requeued: number; settled: number }> {
  return abandonBatch(deps, b, {
    code: PIPELINE_CODES.BATCH_SUBMIT_IN_DOUBT,
    reason: `submission in doubt (${why}); the LRS may hold it but gives no way to look it up`,
    settleWith: resolutionFor(PIPELINE_CODES.BATCH_SUBMIT_IN_DOUBT, 'relay', {
      detail: { batchId: b.id },
    }),
  });
}

/**
 * The LRS lost or never finished the job: unknown job id (code WSRC0018, as the LRS sent it) or no result
 * before BATCH_POLL_GIVE_UP_MS (our BATCH_NO_RESULT).
 */
export function abandonLost(
  deps: BatchJobDeps,
  b: BatchRow,
  code: 'WSRC0018' | typeof PIPELINE_CODES.BATCH_NO_RESULT,
  why: string,
): Promise<{ requeued: number; settled: number }> {
  const base =
    code === 'WSRC0018'
      ? resolutionFor('WSRC0018', 'lrs')
      : resolutionFor(PIPELINE_CODES.BATCH_NO_RESULT, 'relay');
  return abandonBatch(deps, b, {
    code,
    reason: `LRS job ${b.lrsJobId ?? '?'}: ${why}`,
    settleWith: {
      ...base,
      status: 'needs_action',
      description: `The achievement job's result could not be read (${why}); the LRS may have loaded it. Check the learner's record before retrying.`,
      detail: { batchId: b.id, jobId: b.lrsJobId },
    },
  });
}

/**
 * Starts the clock on one LRS call made for a batch (submit or poll) and returns the writer of its audit
 * row: the organisation, the batch, the user behind it, the call's code and how long it took.
 */
export function startBatchCallAudit(
  pool: pg.Pool,
  b: BatchRow,
  operation: OperationName,
  attempt: number,
): (code: string, codeSource: 'lrs' | 'relay', httpStatus?: number) => Promise<void> {
  const started = performance.now();
  return (code, codeSource, httpStatus) =>
    insertBatchAudit(
      pool,
      { organisationId: b.organisationId, batchId: b.id, userName: b.requestedBy },
      { operation, code, codeSource, httpStatus, durationMs: performance.now() - started, attempt },
    );
}
