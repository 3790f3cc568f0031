/** learnerByDemographics (docs/lrs.md §4.2): find a learner's ULN from the five mandatory demographics (+ optional ones). */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { Demographics, FindResult, FindType, LrsIdentity } from '../types.ts';
import type { SoapBody } from '../xml.ts';
import { fieldsToWire, lsCredentials } from './common.ts';
import { parseFindLearnerResponse } from './find-response.ts';

export const spec = MESSAGES.learnerByDemographics;
export type LearnerByDemographicsInput = Demographics & { findType?: FindType };

export function buildLearnerByDemographics(id: LrsIdentity, input: LearnerByDemographicsInput): WireObject {
  return { ...fieldsToWire(spec.fields, input), FindType: input.findType ?? 'FUL', ...lsCredentials(id) };
}

export function parseLearnerByDemographics(body: SoapBody): FindResult {
  return parseFindLearnerResponse(body, spec.operation);
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const learnerByDemographics = {
  spec,
  build: buildLearnerByDemographics,
  parse: parseLearnerByDemographics,
};
