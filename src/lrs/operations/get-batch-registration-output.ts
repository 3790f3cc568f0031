/** getBatchRegistrationOutput (docs/lrs.md §4.7): poll a registration batch; WSRC0008 = still running. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { BatchRegistrationOutput, LrsIdentity, OutputBatchLearner } from '../types.ts';
import { childNumber, childText, children, type SoapBody } from '../xml.ts';
import { atMost, lsCredentials, maxOccurs, readLeaves, requireCode, resultBase } from './common.ts';

export const spec = MESSAGES.getBatchRegistrationOutput;
/** A registration batch holds at most this many learners, so its output has at most as many rows (200). */
const MAX_ROWS = maxOccurs(MESSAGES.submitBatchRegistration, 'Learner');

const BATCH_STATES: Record<string, BatchRegistrationOutput['state']> = {
  WSRC0008: 'running',
  WSRC0009: 'done',
  WSRC0010: 'failed',
  WSRC0018: 'unknown_job',
};

/** Job state by response code (shared with the verify batch). */
export function batchState(code: string): BatchRegistrationOutput['state'] {
  return BATCH_STATES[code] ?? 'unknown';
}

export function buildGetBatchRegistrationOutput(id: LrsIdentity, jobId: string): WireObject {
  return { ...lsCredentials(id), JobID: jobId };
}

export function parseGetBatchRegistrationOutput(body: SoapBody): BatchRegistrationOutput {
  const r = body.root;
  const code = requireCode(r, spec.operation);
  const learners = atMost(children(r, 'Learner'), MAX_ROWS, 'rows', spec.operation).map(
    (n): OutputBatchLearner => {
      const l = readLeaves(n);
      return {
        ...l,
        givenName: l.givenName ?? '',
        familyName: l.familyName ?? '',
        returnCode: l.returnCode ?? '',
      };
    },
  );
  return {
    ...resultBase(code),
    state: batchState(code),
    jobStatus: childText(r, 'JobStatus'),
    counters: {
      newLearnersCount: childNumber(r, 'NewLearnersCount'),
      existsUpdatedLearnersCount: childNumber(r, 'ExistsUpdatedLearnersCount'),
      possibleMatchLearnersCount: childNumber(r, 'PossibleMatchLearnersCount'),
      learnersNotFoundCount: childNumber(r, 'LearnersNotFoundCount'),
      rejectedLearnersCount: childNumber(r, 'RejectedLearnersCount'),
    },
    jobStartedDateTime: childText(r, 'JobStartedDateTime'),
    jobFinishedDateTime: childText(r, 'JobFinishedDateTime'),
    learners,
  };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const getBatchRegistrationOutput = {
  spec,
  build: buildGetBatchRegistrationOutput,
  parse: parseGetBatchRegistrationOutput,
};
