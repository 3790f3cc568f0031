/**
 * The submit job of one batch. The batch is marked `submitting` (committed) before the call, so a
 * process that dies during the call leaves a visible mark: a batch found `submitting` is in doubt and
 * handled by abandonInDoubt (never sent again as a batch). Then: job id stored, `submitted`, poll job
 * enqueued. The job data is the batch id only; learners are read from Postgres.
 *
 * Each try counts one attempt on every member request (lrs.request.attempts, in the statement that marks
 * the batch `submitting`), and the retry decision reads the most any member has used: the job's own count
 * (attemptsMade) is not read, BullMQ's attempts being only a safety bound (jobAttemptsBound).
 */
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import { RELAY_CODES } from '../codes/client-codes.ts';
import { isLrsError, type LrsError } from '../lrs/errors.ts';
import { JOBS, parseJobData, type JobRun } from '../queues/catalogue.ts';
import { enqueuePoll } from './assemble.ts';
import type { BatchRecord } from './records.ts';
import { BATCH_KIND_SPECS, type SubmitAnswer } from './kinds.ts';
import {
  abandonBatch,
  abandonInDoubt,
  settleBatchRequests,
  startBatchCallAudit,
  type BatchJobDeps,
} from './rules.ts';
import {
  detachUnsent,
  loadBatch,
  loadBatchRequests,
  moveBatch,
  releaseToPending,
  returnSubmitTry,
  startSubmitTry,
  type BatchRow,
  type Settlement,
} from '../db/batches.ts';
import { resolutionFor, resolutionForError } from '../requests/resolve.ts';
import { organisationForJob } from '../requests/organisation.ts';
import { decideNextStep } from '../codes/next-step.ts';
import { PauseQueueError, RetryableJobError, WaitJobError } from '../requests/job-steps.ts';
import { createRedactor, redactLrsError } from '../requests/redact.ts';

export async function runSubmitJob(deps: BatchJobDeps, job: JobRun, signal: AbortSignal): Promise<string> {
  const { batchId } = parseJobData(JOBS.batchSubmit, job.data);
  let log = deps.log.child({ jobId: job.id, batchId });
  const b = await loadBatch(deps.pool, batchId);
  if (!b) return 'missing';
  if (b.status === 'submitting') {
    await abandonInDoubt(deps, b, 'the previous attempt stopped during the submit call');
    return 'in-doubt';
  }
  if (b.status === 'submitted' || b.status === 'fetching') {
    await enqueuePoll(deps.queue, b.id, 0);
    return 'already-submitted';
  }
  if (b.status !== 'assembled') return `skipped:${b.status}`;
  const spec = BATCH_KIND_SPECS[b.kind];

  const org = await organisationForJob(deps.clients, b.organisationId, b.requestedBy);
  if (!org.ok) {
    await failAll(
      deps,
      b,
      resolutionFor(PIPELINE_CODES.ORGANISATION_UNAVAILABLE, 'relay', { description: org.reason }),
    );
    return 'organisation-unavailable';
  }
  const { client, identity } = org;

  // Re-read and re-check: a request may have been cancelled, or its payload changed, since assembly.
  const requests = await loadBatchRequests(deps.pool, b.id);
  const records: BatchRecord[] = [];
  const rejected: Settlement[] = [];
  for (const r of requests) {
    const built = spec.buildRecord(r.id, r.payload, {
      providerUkprn: identity.ukprn,
      requestedAt: r.createdAt,
    });
    if (built.ok) records.push(built.record);
    else
      rejected.push({
        requestId: r.id,
        resolution: resolutionFor(built.code, 'relay', { status: 'rejected', problems: built.problems }),
      });
  }
  if (rejected.length > 0) await settleBatchRequests(deps, b.id, rejected);
  await detachUnsent(deps.pool, b.id);
  if (records.length === 0) {
    await moveBatch(deps.pool, b.id, ['assembled'], 'cancelled', {
      lastError: 'no open requests left to send',
    });
    return 'empty';
  }
  // This try's attempt is counted on every member already; the decision reads the most any of them has used.
  const attempt = await startSubmitTry(deps.pool, b.id, records.length);
  if (attempt === undefined) return 'raced';
  log = log.child({ attempt });

  const audit = startBatchCallAudit(deps.pool, b, spec.submitOperation, attempt);
  let answer: SubmitAnswer;
  try {
    const endCall = deps.metrics.batchStageSeconds.startTimer({ stage: 'submit_call' });
    try {
      answer = await spec.submit(client, identity, b, records, signal);
    } finally {
      endCall();
    }
  } catch (e) {
    if (!isLrsError(e)) throw e;
    await audit(e.code, e.codeSource, e.httpStatus);
    // A fault about the batch may quote any of its learners: every payload sent is redacted from its text.
    const redacted = redactLrsError(e, createRedactor(requests.map((r) => r.payload)));
    return handleSubmitError(deps, { ...b, status: 'submitting' }, attempt, redacted, log);
  }
  await audit(answer.code, 'lrs');
  if (answer.code === 'WSRC0007' && answer.jobId) {
    await moveBatch(deps.pool, b.id, ['submitting'], 'submitted', {
      lrsJobId: answer.jobId,
      lastCode: answer.code,
      lastError: null,
    });
    await enqueuePoll(deps.queue, b.id, deps.pollInitialMs);
    log.info({ lrsJobId: answer.jobId, records: records.length }, 'batch submitted');
    return 'submitted';
  }
  if (answer.code === TOO_MANY_ACHIEVEMENTS && spec.splitsWhenTooMany)
    return splitTooMany(deps, { ...b, status: 'submitting' }, log);
  // Refused as a whole (WSRC0017 record count, or any other code without a job id): nothing was processed.
  await abandonBatch(
    deps,
    { ...b, status: 'submitting' },
    {
      code: answer.code,
      reason: `the LRS refused the batch with ${answer.code}`,
      settleWith: {
        ...resolutionFor(answer.code, 'lrs'),
        status: answer.code === 'WSRC0017' ? 'failed' : 'needs_action',
      },
    },
  );
  return `refused:${answer.code}`;
}

async function handleSubmitError(
  deps: BatchJobDeps,
  b: BatchRow,
  attempt: number,
  err: LrsError,
  log: BatchJobDeps['log'],
): Promise<string> {
  if (err.ambiguous) {
    await abandonInDoubt(deps, b, `${err.code} after the request was sent`);
    return 'in-doubt';
  }
  if (err.code === RELAY_CODES.LOCAL_VALIDATION) {
    // Records are checked one by one before batching, so this is the batch envelope itself: send them singly.
    await abandonBatch(deps, b, {
      code: err.code,
      reason: err.message,
      settleWith: resolutionForError(err),
    });
    return 'invalid';
  }
  if (err.code === TOO_MANY_ACHIEVEMENTS && BATCH_KIND_SPECS[b.kind].splitsWhenTooMany)
    return splitTooMany(deps, b, log);
  // The tries finished before this one, as a single call counts them (attemptsBefore in run.ts).
  const next = decideNextStep(err, Math.max(0, attempt - 1), deps.policy);
  if (next.step === 'settle') {
    // Retrying cannot help, or the members have used the attempts the policy allows for this class: each
    // gets the terminal answer a single call would.
    await failAll(deps, b, resolutionForError(err));
    log.warn({ code: err.code, errorClass: next.errorClass }, 'batch could not be sent; requests settled');
    return 'failed';
  }
  // Not sent (connection refused, maintenance, out of hours): the batch can simply be sent again. A pause
  // or a wait gives back the attempt this try counted.
  await returnSubmitTry(deps.pool, b.id, {
    attemptUsed: next.step === 'retry',
    lastCode: err.code,
    lastError: err.message,
  });
  const reason = `${err.code}: ${err.message}`;
  if (next.step === 'pause_queue') {
    // The LRS is down for everyone: the whole batch queue waits, and this submit uses no attempt on it.
    log.warn({ code: err.code, pauseMs: next.pauseMs }, 'LRS unavailable; pausing the batch queue');
    throw new PauseQueueError(reason, next.pauseMs);
  }
  if (next.step === 'wait') throw new WaitJobError(reason, next.delayMs);
  log.info(
    { code: err.code, errorClass: next.errorClass },
    'batch submit failed before reaching the LRS; will retry',
  );
  throw new RetryableJobError(reason, next.errorClass, next.delayMs);
}

/** The LRS's code for more achievements in one request than it allows (docs/lrs.md §5.3). */
const TOO_MANY_ACHIEVEMENTS = 'WSEC0046';

/**
 * WSEC0046: the LRS refused the whole achievement batch as too many, so nothing was loaded. Never sent again
 * unchanged: its requests go back to pending and the assembler makes this organisation's achievement batches
 * at most half this one from now on (achievementCaps), halving again should the LRS refuse those too. A batch
 * of one cannot be split: its request needs a person.
 */
async function splitTooMany(deps: BatchJobDeps, b: BatchRow, log: BatchJobDeps['log']): Promise<string> {
  const n = (await loadBatchRequests(deps.pool, b.id)).length;
  if (n <= 1) {
    await failAll(deps, b, resolutionFor(TOO_MANY_ACHIEVEMENTS, 'lrs', { status: 'needs_action' }));
    return 'refused:too-many';
  }
  const half = Math.floor(n / 2);
  const reason = `batch ${b.id}: the LRS refused its ${n} achievements as more than it allows in one request (${TOO_MANY_ACHIEVEMENTS}); they go again in smaller batches (at most ${half})`;
  const returned = await releaseToPending(deps.pool, b.id, {
    code: TOO_MANY_ACHIEVEMENTS,
    reason,
    delayMs: 0,
  });
  await moveBatch(deps.pool, b.id, ['assembled', 'submitting'], 'failed', {
    lastCode: TOO_MANY_ACHIEVEMENTS,
    lastError: reason,
    recordCount: n,
  });
  log.warn(
    { code: TOO_MANY_ACHIEVEMENTS, records: n, returned, cap: half },
    'achievement batch too big; split',
  );
  return 'split';
}

/** Settles every open request of the batch with one resolution and fails the batch. */
async function failAll(
  deps: BatchJobDeps,
  b: BatchRow,
  res: ReturnType<typeof resolutionFor>,
): Promise<void> {
  const requests = await loadBatchRequests(deps.pool, b.id);
  await settleBatchRequests(
    deps,
    b.id,
    requests.map((r) => ({ requestId: r.id, resolution: res })),
  );
  await moveBatch(deps.pool, b.id, ['assembled', 'submitting'], 'failed', {
    lastCode: res.code,
    lastError: res.description ?? null,
  });
}
