/** learnerByULN (docs/lrs.md §4.1): the learner record for a known ULN, checked against the names. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { FindResult, FindType, LrsIdentity } from '../types.ts';
import type { SoapBody } from '../xml.ts';
import { lsCredentials } from './common.ts';
import { parseFindLearnerResponse } from './find-response.ts';

export const spec = MESSAGES.learnerByUln;
export type LearnerByUlnInput = { uln: string; familyName: string; givenName: string; findType?: FindType };

export function buildLearnerByUln(id: LrsIdentity, input: LearnerByUlnInput): WireObject {
  return {
    FindType: input.findType ?? 'FUL',
    ...lsCredentials(id),
    ULN: input.uln,
    FamilyName: input.familyName,
    GivenName: input.givenName,
  };
}

export function parseLearnerByUln(body: SoapBody): FindResult {
  return parseFindLearnerResponse(body, spec.operation);
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const learnerByUln = { spec, build: buildLearnerByUln, parse: parseLearnerByUln };
