/**
 * Issue 26: one function decides what happens after a failed LRS call. The same code, after the same
 * attempts, is fed to a single call (runRequestJob) and to a batch submit (runSubmitJob), and a maintenance
 * fault also to a batch poll (runPollJob); each must come out as the step decideNextStep gives (settle,
 * retry after N ms, pause the queue for N ms). Both count their attempts in lrs.request.attempts (the
 * batch submit in its member requests'): their BullMQ jobs say none were made.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type pg from 'pg';
import { runPollJob } from '../../src/batches/poll.ts';
import type { BatchJobDeps } from '../../src/batches/rules.ts';
import { runSubmitJob } from '../../src/batches/submit.ts';
import { decideNextStep, type NextStep } from '../../src/codes/next-step.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/codes/retry-policy.ts';
import { classifyFailure } from '../../src/codes/table.ts';
import type { RequestRow } from '../../src/db/requests.ts';
import { createLogger } from '../../src/log.ts';
import { LrsError } from '../../src/lrs/errors.ts';
import type { LrsClient } from '../../src/lrs/types.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { JobRun } from '../../src/queues/catalogue.ts';
import { PauseQueueError, RetryableJobError, WaitJobError } from '../../src/requests/job-steps.ts';
import type { OrganisationClients } from '../../src/requests/organisation.ts';
import { DEFAULT_PROCESSOR_OPTIONS } from '../../src/requests/processors.ts';
import { runRequestJob } from '../../src/requests/run.ts';

const PAYLOAD = { uln: '1174112637', givenName: 'Testone', familyName: 'Testerone' };

/** A client whose every call fails with `code` (a failure before the request reached the LRS). */
function failingClient(code: string): LrsClient {
  const fail = () => {
    const errorClass = classifyFailure({ code });
    throw new LrsError(`${code} from the fake`, {
      code,
      codeSource: 'relay',
      class: errorClass === 'data_error' ? 'data_error' : 'retryable',
      retryable: errorClass !== 'data_error',
    });
  };
  return new Proxy({} as LrsClient, { get: () => async () => fail() });
}

function clientsFor(client: LrsClient): OrganisationClients {
  return {
    forOrganisation: async () => ({
      client,
      credentials: {
        identity: { ukprn: '10000001', organisationRef: 'ABC123', password: 'x'.repeat(16) },
        isDisabled: false,
      },
    }),
  };
}

/**
 * Postgres as the handlers see it: one batch (`status`, kind verify) of one request, which has used
 * `memberAttempts` once a submit try has counted its own; every write succeeds.
 */
function fakePool(status: 'assembled' | 'submitted', memberAttempts = 1): pg.Pool {
  const batch = {
    id: 5,
    organisationId: 1,
    kind: 'verify',
    jobType: null,
    status,
    requestedBy: 'mis.user',
    lrsJobId: status === 'submitted' ? 'J1' : null,
    recordCount: 1,
    polls: 0,
    counters: {},
    createdAt: new Date(),
    submittedAt: status === 'submitted' ? new Date() : null,
    updatedAt: new Date(),
  };
  const query = async (q: string | { text: string }) => {
    const text = typeof q === 'string' ? q : q.text;
    if (/from lrs\.batch where id/.test(text)) return { rows: [batch], rowCount: 1 };
    // startSubmitTry: the batch marked submitting, the most attempts its members have used (this try counted).
    if (/select max\(attempts\)/.test(text)) return { rows: [{ attempts: memberAttempts }], rowCount: 1 };
    if (/count\(\*\)::int as n from b/.test(text)) return { rows: [{ n: 1 }], rowCount: 1 };
    if (/select id, mis_learner_id/.test(text))
      return { rows: [{ id: 7, misLearnerId: 'S1', payload: PAYLOAD, createdAt: new Date() }], rowCount: 1 };
    if (/update lrs\.batch/.test(text)) return { rows: [], rowCount: 1 };
    return { rows: [], rowCount: 0 };
  };
  return { query } as unknown as pg.Pool;
}

/** What a handler's result or throw means for the job, in decideNextStep's terms. */
async function stepOf(run: () => Promise<string>): Promise<Pick<NextStep, 'step'> & { ms?: number }> {
  try {
    await run();
    return { step: 'settle' };
  } catch (e) {
    if (e instanceof PauseQueueError) return { step: 'pause_queue', ms: e.pauseMs };
    if (e instanceof RetryableJobError) return { step: 'retry', ms: e.delayMs };
    if (e instanceof WaitJobError) return { step: 'wait', ms: e.delayMs };
    throw e;
  }
}

function expected(code: string, attemptsMade: number): Pick<NextStep, 'step'> & { ms?: number } {
  const n = decideNextStep({ code }, attemptsMade, DEFAULT_RETRY_POLICY);
  if (n.step === 'pause_queue') return { step: n.step, ms: n.pauseMs };
  if (n.step === 'retry' || n.step === 'wait') return { step: n.step, ms: n.delayMs };
  return { step: n.step };
}

const log = createLogger({ level: 'silent' });

function singleCall(code: string, attemptsMade: number) {
  const request: RequestRow = {
    id: 7,
    organisationId: 1,
    requestedBy: 'mis.user',
    kind: 'verify',
    mode: 'single',
    misLearnerId: 'S1',
    payload: PAYLOAD,
    status: 'in_progress',
    // The claim counted this attempt.
    attempts: attemptsMade + 1,
    registerInDoubt: false,
    createdAt: new Date(),
  };
  // BullMQ's own count says nothing was tried: the decision must read the request's.
  const job: JobRun = { id: 'r7', data: { requestId: 7 }, attemptsMade: 0 };
  return stepOf(() =>
    runRequestJob(
      {
        pool: fakePool('assembled'),
        clients: clientsFor(failingClient(code)),
        log,
        metrics: createMetrics(),
        policy: DEFAULT_RETRY_POLICY,
        processorOptions: DEFAULT_PROCESSOR_OPTIONS,
        startAttempt: async () => request,
        complete: async () => true,
      },
      job,
      new AbortController().signal,
    ),
  );
}

function batchDeps(code: string, status: 'assembled' | 'submitted', memberAttempts = 1): BatchJobDeps {
  return {
    pool: fakePool(status, memberAttempts),
    clients: clientsFor(failingClient(code)),
    queue: { add: async () => undefined, getJobState: async () => 'unknown', remove: async () => 0 },
    log,
    metrics: createMetrics(),
    policy: DEFAULT_RETRY_POLICY,
    pollInitialMs: 1_000,
    pollMaxMs: 60_000,
    pollGiveUpMs: 24 * 3_600_000,
    fanOutChunk: 100,
  };
}

function batchSubmit(code: string, attemptsMade: number) {
  // BullMQ's own count says nothing was tried: the decision must read the members' (this try counted).
  const job: JobRun = { id: 'batch-submit-5', data: { batchId: 5 }, attemptsMade: 0 };
  return stepOf(() =>
    runSubmitJob(batchDeps(code, 'assembled', attemptsMade + 1), job, new AbortController().signal),
  );
}

function batchPoll(code: string) {
  const job: JobRun = { id: 'batch-poll-5', data: { batchId: 5 }, attemptsMade: 0 };
  return stepOf(() => runPollJob(batchDeps(code, 'submitted'), job, new AbortController().signal));
}

describe('one LRS code, one decision, single call or batch', () => {
  beforeEach(() => {
    // The jitter both handlers' delays get from decideNextStep.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['the maintenance fault', 'LRS_MAINTENANCE', 0, 'pause_queue'],
    ['the maintenance fault, attempts long used', 'LRS_MAINTENANCE', 20, 'pause_queue'],
    ['out of hours', 'WSEC0004', 3, 'pause_queue'],
    ['a transient failure, first attempt', 'CONNECTION_FAILED', 0, 'retry'],
    ['a transient failure, third attempt', 'CONNECTION_FAILED', 2, 'retry'],
    ['a transient failure, attempts used up', 'CONNECTION_FAILED', 9, 'settle'],
    ['a data error', 'WSEC0001', 0, 'settle'],
  ] as const)('%s (%s after %i attempts): %s', async (_label, code, attemptsMade, step) => {
    const want = expected(code, attemptsMade);
    expect(want.step).toBe(step);
    expect(await singleCall(code, attemptsMade)).toEqual(want);
    expect(await batchSubmit(code, attemptsMade)).toEqual(want);
  });

  it('a batch poll meeting the maintenance fault pauses the batch queue for the same time', async () => {
    expect(await batchPoll('LRS_MAINTENANCE')).toEqual(expected('LRS_MAINTENANCE', 0));
  });
});
