/**
 * The poll job of one batch: asks the LRS for the output; while the job runs (WSRC0008, Waiting,
 * InProgress) or the call fails, the same job re-delays itself (WaitJobError) with a doubling, capped
 * interval, counting polls on the batch row; the LRS in maintenance or out of hours pauses the batch queue
 * instead (PauseQueueError), as for single calls. When the output is there: `fetching`, results fanned
 * out in chunks (idempotent, so a crash mid-way is repaired by polling again), then `completed` with
 * counters.
 */
import { decideNextStep } from '../codes/next-step.ts';
import { PauseQueueError, WaitJobError } from '../requests/job-steps.ts';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import { isLrsError } from '../lrs/errors.ts';
import { JOBS, parseJobData, type JobRun } from '../queues/catalogue.ts';
import { BATCH_KIND_SPECS, type Output } from './kinds.ts';
import { abandonLost, settleBatchRequests, startBatchCallAudit, type BatchJobDeps } from './rules.ts';
import {
  addBatchCounts,
  loadBatch,
  loadBatchMemberIds,
  loadBatchMemberPayloads,
  loadBatchRequestIds,
  moveBatch,
  recordPoll,
  requeueAsSingle,
} from '../db/batches.ts';
import { organisationForJob } from '../requests/organisation.ts';

/** Wait before the next poll after `polls` polls: initial × 2^polls, capped (never below 100 ms, so a running job is not hammered). */
export function pollDelayMs(polls: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, Math.max(initialMs, 100) * 2 ** Math.min(polls, 30));
}

export async function runPollJob(deps: BatchJobDeps, job: JobRun, signal: AbortSignal): Promise<string> {
  const { batchId } = parseJobData(JOBS.batchPoll, job.data);
  const b = await loadBatch(deps.pool, batchId);
  if (!b) return 'missing';
  if (b.status !== 'submitted' && b.status !== 'fetching') return `skipped:${b.status}`;
  const spec = BATCH_KIND_SPECS[b.kind];
  const log = deps.log.child({ jobId: job.id, batchId, lrsJobId: b.lrsJobId, polls: b.polls });
  const age = Date.now() - (b.submittedAt?.getTime() ?? b.createdAt.getTime());

  const again = async (code: string, error: string | null): Promise<never> => {
    if (age > deps.pollGiveUpMs) {
      await abandonLost(
        deps,
        b,
        PIPELINE_CODES.BATCH_NO_RESULT,
        `no result ${describeAge(age)} after submission (the last poll answered ${code})`,
      );
      throw new BatchSettled();
    }
    const delay = pollDelayMs(b.polls + 1, deps.pollInitialMs, deps.pollMaxMs);
    await recordPoll(deps.pool, b.id, { code, error, nextPollAt: new Date(Date.now() + delay) });
    throw new WaitJobError(`poll again in ${delay} ms`, delay);
  };

  try {
    let output: Output;
    const audit = startBatchCallAudit(deps.pool, b, spec.pollOperation, b.polls + 1);
    const org = await organisationForJob(deps.clients, b.organisationId, b.requestedBy);
    if (!org.ok) return await again(PIPELINE_CODES.ORGANISATION_UNAVAILABLE, org.reason);
    try {
      const endCall = deps.metrics.batchStageSeconds.startTimer({ stage: 'poll_call' });
      try {
        output = await spec.fetchOutput(org.client, org.identity, b, signal);
      } finally {
        endCall();
      }
      await audit(output.code, 'lrs');
    } catch (e) {
      if (!isLrsError(e)) throw e;
      await audit(e.code, e.codeSource, e.httpStatus);
      // The LRS in maintenance or out of hours: the whole batch queue waits, as single calls do.
      const next = decideNextStep(e, 0, deps.policy);
      if (next.step === 'pause_queue') {
        await recordPoll(deps.pool, b.id, {
          code: e.code,
          error: e.message,
          nextPollAt: new Date(Date.now() + next.pauseMs),
        });
        log.warn({ code: e.code, pauseMs: next.pauseMs }, 'LRS unavailable; pausing the batch queue');
        throw new PauseQueueError(`${e.code}: ${e.message}`, next.pauseMs);
      }
      // Transport trouble, even a wrong password: the job is still at the LRS, so keep asking (capped backoff) until give-up.
      log.info({ code: e.code }, 'batch poll failed; will poll again');
      return await again(e.code, e.message);
    }
    if (output.state === 'unknown_job') {
      await abandonLost(deps, b, 'WSRC0018', 'the LRS does not know the job (WSRC0018)');
      return 'unknown-job';
    }
    if (output.state !== 'finished') return await again(output.code, null);

    const endFanOut = deps.metrics.batchStageSeconds.startTimer({ stage: 'fan_out' });
    await moveBatch(deps.pool, b.id, ['submitted', 'fetching'], 'fetching', {
      lastCode: output.code,
      counters: output.counters,
    });
    await recordPoll(deps.pool, b.id, { code: output.code, nextPollAt: null });
    const openIds = await loadBatchRequestIds(deps.pool, b.id);
    const memberIds = output.needsMemberIds ? await loadBatchMemberIds(deps.pool, b.id) : [];
    const payloads = output.needsPayloads
      ? await loadBatchMemberPayloads(deps.pool, b.id)
      : new Map<number, unknown>();
    const fan = output.fanOut(openIds, memberIds, payloads);
    const changed = await settleBatchRequests(deps, b.id, fan.settlements);
    let requeued = 0;
    if (fan.missing.length > 0) {
      const none = fan.settlements.length === 0 && output.failed;
      requeued = await requeueAsSingle(deps.pool, b.id, {
        ids: fan.missing,
        code: none ? PIPELINE_CODES.BATCH_FAILED_REQUEUED : PIPELINE_CODES.BATCH_RESULT_MISSING,
        reason: none
          ? `batch ${b.id}: the LRS batch failed (${output.code}) without per-learner results; sent again as a single call`
          : `batch ${b.id}: no row for this learner in the LRS output; sent again as a single call`,
      });
    }
    await addBatchCounts(deps.pool, b.id, { ...changed, requeued, foreignRows: fan.foreign });
    await moveBatch(deps.pool, b.id, ['fetching'], output.failed ? 'failed' : 'completed', {
      lastCode: output.code,
      lastError: output.failed ? `the LRS reported the job failed (${output.code})` : null,
    });
    endFanOut();
    log.info({ code: output.code, settled: changed, requeued }, 'batch output fanned out');
    return 'completed';
  } catch (e) {
    if (e instanceof BatchSettled) return 'given-up';
    throw e;
  }
}

/** A batch's age for people: minutes under two hours, hours under two days, then days. */
export function describeAge(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(ms / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.round(ms / 86_400_000)} days`;
}

/** Thrown inside `again` when the batch was given up instead of re-delayed. */
class BatchSettled extends Error {
  override readonly name = 'BatchSettled';
}
