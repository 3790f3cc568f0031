/** submitBatchRegistration (docs/lrs.md §4.7, §7.1): up to 200 BatchLearners in one job; the answer is a JobID. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { BatchLearner, FindType, LrsIdentity, SubmitBatchResult } from '../types.ts';
import { childText, type SoapBody } from '../xml.ts';
import { childFields, fieldsToWire, lsCredentials, requireCode, resultBase } from './common.ts';

export const spec = MESSAGES.submitBatchRegistration;
export type SubmitBatchRegistrationInput = {
  jobType: FindType;
  learners: BatchLearner[];
  learnerRecordCount?: number;
};

export function buildSubmitBatchRegistration(
  id: LrsIdentity,
  input: SubmitBatchRegistrationInput,
): WireObject {
  const fields = childFields(spec.fields, 'Learner');
  return {
    ...lsCredentials(id),
    JobType: input.jobType,
    LearnerRecordCount: String(input.learnerRecordCount ?? input.learners.length),
    Learner: input.learners.map((l) => fieldsToWire(fields, l)),
  };
}

/** SubmitBatchResponse and SubmitVerifyBatchResponse share this shape (ResponseCode + JobID). */
export function parseSubmitBatchResponse(body: SoapBody, operation: string): SubmitBatchResult {
  const code = requireCode(body.root, operation);
  return { ...resultBase(code), jobId: childText(body.root, 'JobID')?.trim() };
}

export function parseSubmitBatchRegistration(body: SoapBody): SubmitBatchResult {
  return parseSubmitBatchResponse(body, spec.operation);
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const submitBatchRegistration = {
  spec,
  build: buildSubmitBatchRegistration,
  parse: parseSubmitBatchRegistration,
};
