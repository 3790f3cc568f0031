/** LearnerByUln on LearnerServiceR9.svc (docs/lrs.md §4.12): the big R9 Learner entity, read as flat text fields. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { LrsIdentity, ResultBase } from '../types.ts';
import { child, childText, type SoapBody } from '../xml.ts';
import { opt, readLeaves, requireCode, resultBase, resultNode } from './common.ts';

export const spec = MESSAGES.learnerByUlnR9;
export type LearnerByUlnR9Input = {
  uln: string;
  givenName: string;
  familyName: string;
  userType?: string;
  findType?: string;
};
export type LearnerByUlnR9Result = ResultBase & {
  uln?: string | undefined;
  familyName?: string | undefined;
  givenName?: string | undefined;
  learner?: Record<string, string> | undefined;
};

/** InvokingOrganisation (not R10) and `vendorId` with a lower-case d — unlike GetLearnerLearningEvents. */
export function buildLearnerByUlnR9(
  id: LrsIdentity,
  input: LearnerByUlnR9Input,
  language = 'ENG',
): WireObject {
  return {
    invokingOrganisation: {
      Password: id.password,
      Reference: opt(id.organisationRef),
      Ukprn: opt(id.ukprn),
      Username: id.userName,
    },
    userType: input.userType ?? 'ORG',
    vendorId: String(id.vendorId ?? 0),
    language,
    uln: input.uln,
    givenName: input.givenName,
    familyName: input.familyName,
    findType: input.findType ?? 'FUL',
  };
}

export function parseLearnerByUlnR9(body: SoapBody): LearnerByUlnR9Result {
  const r = resultNode(body, spec);
  const code = requireCode(r, spec.operation);
  const learnerNode = child(r, 'Learner');
  return {
    ...resultBase(code),
    uln: childText(r, 'Uln'),
    familyName: childText(r, 'FamilyName'),
    givenName: childText(r, 'GivenName'),
    learner: learnerNode ? readLeaves(learnerNode) : undefined,
  };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const learnerByUlnR9 = { spec, build: buildLearnerByUlnR9, parse: parseLearnerByUlnR9 };
