/** getVerifyBatchOutput (docs/lrs.md §4.8): poll a verify batch; rows carry WSVRC codes and VRF flags. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { LrsIdentity, VerifyBatchOutput } from '../types.ts';
import { childText, children, type SoapBody } from '../xml.ts';
import { atMost, lsCredentials, maxOccurs, parseVerifiedLearner, requireCode, resultBase } from './common.ts';
import { batchState } from './get-batch-registration-output.ts';

export const spec = MESSAGES.getVerifyBatchOutput;
/** A verify batch holds at most this many learners, so its output has at most as many rows (5,000). */
const MAX_ROWS = maxOccurs(MESSAGES.submitVerifyBatch, 'Learner');

export function buildGetVerifyBatchOutput(id: LrsIdentity, jobId: string): WireObject {
  return { ...lsCredentials(id), JobID: jobId };
}

export function parseGetVerifyBatchOutput(body: SoapBody): VerifyBatchOutput {
  const r = body.root;
  const code = requireCode(r, spec.operation);
  return {
    ...resultBase(code),
    state: batchState(code),
    jobStatus: childText(r, 'JobStatus'),
    jobStartedDateTime: childText(r, 'JobStartedDateTime'),
    jobFinishedDateTime: childText(r, 'JobFinishedDateTime'),
    learners: atMost(children(r, 'VerifiedLearner'), MAX_ROWS, 'rows', spec.operation).map(
      parseVerifiedLearner,
    ),
  };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const getVerifyBatchOutput = {
  spec,
  build: buildGetVerifyBatchOutput,
  parse: parseGetVerifyBatchOutput,
};
