/**
 * Runs one request job: re-read the request, call the processor for its kind, then either write the
 * terminal result or record the attempt and throw the next step (src/requests/job-steps.ts) for the worker
 * wiring to carry out. Every path ends in exactly one of: terminal write, retry (with backoff), queue-wide
 * pause, or wait; which one is decided by decideNextStep (src/codes/next-step.ts).
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import { isLrsError, type LrsError } from '../lrs/errors.ts';
import type { OperationName } from '../lrs/messages.ts';
import { parseJobData, JOBS, type JobRun } from '../queues/catalogue.ts';
import { LearnerBusyError, PROCESSORS, type ProcessorOptions } from './processors.ts';
import {
  loadRequest,
  recordRetry,
  type AuditEntry,
  type Completion,
  type RequestRow,
  type Resolution,
} from '../db/requests.ts';
import { resolutionFor, resolutionForError } from './resolve.ts';
import type { RetryPolicy } from '../codes/retry-policy.ts';
import { decideNextStep } from '../codes/next-step.ts';
import { PauseQueueError, RetryableJobError, WaitJobError } from './job-steps.ts';
import { organisationForJob, type OrganisationClients } from './organisation.ts';
import { createRedactor, redactLrsError, type Redactor } from './redact.ts';

export type { OrganisationClients };

export interface RunRequestDeps {
  pool: pg.Pool;
  clients: OrganisationClients;
  log: Logger;
  metrics: Metrics;
  policy: RetryPolicy;
  processorOptions: ProcessorOptions;
  /** Claims an attempt (request re-read from Postgres); shared across jobs so they share round trips. */
  startAttempt(requestId: number): Promise<RequestRow | undefined>;
  /** Writes a terminal result (batched like startAttempt); false if the request was already terminal. */
  complete(c: Completion): Promise<boolean>;
}

export async function runRequestJob(deps: RunRequestDeps, job: JobRun, signal: AbortSignal): Promise<string> {
  const { requestId } = parseJobData(JOBS.request, job.data);
  // Claim the attempt first (one round trip); only when that finds nothing do we look at why.
  const request = await deps.startAttempt(requestId);
  if (!request) {
    const existing = await loadRequest(deps.pool, requestId);
    if (!existing) deps.log.warn({ jobId: job.id, requestId }, 'request no longer exists; job dropped');
    return existing ? `skipped:${existing.status}` : 'missing';
  }
  // Bindings passed per line rather than through log.child(): a child logger per job re-runs redaction
  // set-up, which showed up as several percent of the worker's CPU. The attempt is the request's own count
  // (lrs.request.attempts, this one included), the one the retry decision reads.
  const log = withBindings(deps.log, { jobId: job.id, requestId, attempt: request.attempts });
  if (request.kind === 'achievement')
    throw new Error('achievement requests are batch-only and must not reach the single-call queue');
  const audits: AuditEntry[] = [];
  // Built on the first LRS failure only: most calls succeed and never need it.
  let redactor: Redactor | undefined;
  const settle = (res: Resolution) => finish(deps, request, res, audits, log);

  const org = await organisationForJob(deps.clients, request.organisationId, request.requestedBy);
  if (!org.ok)
    return settle(
      resolutionFor(PIPELINE_CODES.ORGANISATION_UNAVAILABLE, 'relay', { description: org.reason }),
    );
  const { client, identity } = org;

  const call = async <T extends { code: string }>(
    operation: OperationName,
    fn: () => Promise<T>,
  ): Promise<T> => {
    const started = performance.now();
    try {
      const result = await fn();
      audits.push({
        operation,
        code: result.code,
        codeSource: 'lrs',
        durationMs: performance.now() - started,
      });
      return result;
    } catch (e) {
      if (isLrsError(e)) {
        audits.push({
          operation,
          code: e.code,
          codeSource: e.codeSource,
          httpStatus: e.httpStatus,
          durationMs: performance.now() - started,
        });
        // The LRS's own text may quote this learner's details in any wording: they go before anything keeps it.
        redactor ??= createRedactor([request.payload]);
        throw redactLrsError(e, redactor);
      }
      throw e;
    }
  };

  try {
    const processor = PROCESSORS[request.kind as keyof typeof PROCESSORS];
    const res = await processor({
      request,
      identity,
      client,
      pool: deps.pool,
      signal,
      call,
      options: deps.processorOptions,
    });
    return await settle(res);
  } catch (e) {
    if (e instanceof LearnerBusyError) {
      // Not a failure: wait for the other request for this learner to finish, without using an attempt.
      const next = decideNextStep(
        { code: PIPELINE_CODES.LEARNER_BUSY },
        attemptsBefore(request),
        deps.policy,
      );
      await recordRetry(deps.pool, request, {
        code: PIPELINE_CODES.LEARNER_BUSY,
        error: e.message,
        audits,
        attemptUsed: false,
      });
      throw new WaitJobError(e.message, next.step === 'wait' ? next.delayMs : 1_000);
    }
    if (!isLrsError(e)) throw e;
    return handleLrsError(deps, request, e, audits, log);
  }
}

/** Attempts the request finished before this one: lrs.request.attempts counts this one since its claim. */
function attemptsBefore(request: RequestRow): number {
  return Math.max(0, request.attempts - 1);
}

async function handleLrsError(
  deps: RunRequestDeps,
  request: RequestRow,
  err: LrsError,
  audits: AuditEntry[],
  log: JobLog,
): Promise<string> {
  const next = decideNextStep(err, attemptsBefore(request), deps.policy);
  const reason = `${err.code}: ${err.message}`;
  if (next.step === 'pause_queue') {
    // Every job meets the same wall: this run used no attempt.
    await recordRetry(deps.pool, request, { code: err.code, error: reason, audits, attemptUsed: false });
    log.warn({ code: err.code, pauseMs: next.pauseMs }, 'LRS unavailable; pausing the queue');
    throw new PauseQueueError(reason, next.pauseMs);
  }
  if (next.step === 'wait') {
    await recordRetry(deps.pool, request, { code: err.code, error: reason, audits, attemptUsed: false });
    throw new WaitJobError(reason, next.delayMs);
  }
  if (next.step === 'retry') {
    await recordRetry(deps.pool, request, { code: err.code, error: reason, audits, attemptUsed: true });
    log.info({ code: err.code, errorClass: next.errorClass }, 'LRS call failed; will retry');
    throw new RetryableJobError(reason, next.errorClass, next.delayMs);
  }
  return finish(deps, request, resolutionForError(err), audits, log);
}

async function finish(
  deps: RunRequestDeps,
  request: RequestRow,
  res: Resolution,
  audits: AuditEntry[],
  log: JobLog,
): Promise<string> {
  const changed = await deps.complete({ request, resolution: res, audits });
  if (changed) deps.metrics.requestOutcomes.inc({ kind: request.kind, status: res.status, code: res.code });
  log.info({ status: res.status, code: res.code, changed }, 'request settled');
  return res.status;
}

/** The few log calls a job makes, each carrying the job's bindings. */
interface JobLog {
  info(o: Record<string, unknown>, msg: string): void;
  warn(o: Record<string, unknown>, msg: string): void;
}

function withBindings(log: Logger, bindings: Record<string, unknown>): JobLog {
  return {
    info: (o, msg) => log.info({ ...bindings, ...o }, msg),
    warn: (o, msg) => log.warn({ ...bindings, ...o }, msg),
  };
}
