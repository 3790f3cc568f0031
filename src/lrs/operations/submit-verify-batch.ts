/** submitVerifyBatch (docs/lrs.md §4.8, §7.2): up to 5,000 ULNs to verify in one job; the answer is a JobID. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { LearnerToVerify, LrsIdentity, SubmitBatchResult } from '../types.ts';
import type { SoapBody } from '../xml.ts';
import { childFields, fieldsToWire, lsCredentials, opt } from './common.ts';
import { parseSubmitBatchResponse } from './submit-batch-registration.ts';

export const spec = MESSAGES.submitVerifyBatch;
export type SubmitVerifyBatchInput = {
  learners: LearnerToVerify[];
  orgEmail?: string;
  learnerRecordCount?: number;
};

export function buildSubmitVerifyBatch(id: LrsIdentity, input: SubmitVerifyBatchInput): WireObject {
  const fields = childFields(spec.fields, 'Learner');
  return {
    ...lsCredentials(id),
    LearnerRecordCount: String(input.learnerRecordCount ?? input.learners.length),
    OrgEmail: opt(input.orgEmail),
    Learner: input.learners.map((l) => fieldsToWire(fields, l)),
  };
}

export function parseSubmitVerifyBatch(body: SoapBody): SubmitBatchResult {
  return parseSubmitBatchResponse(body, spec.operation);
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const submitVerifyBatch = { spec, build: buildSubmitVerifyBatch, parse: parseSubmitVerifyBatch };
