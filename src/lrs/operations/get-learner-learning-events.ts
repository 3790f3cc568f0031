/** GetLearnerLearningEvents (docs/lrs.md §4.11, LearnerServiceR9.svc): the learner's Personal Learning Record. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { LearningEvent, LearningEventsResult, LrsIdentity } from '../types.ts';
import { child, childNumber, childText, children, type SoapBody } from '../xml.ts';
import { opt, readLeaves, requireCode, resultBase, resultNode } from './common.ts';

export const spec = MESSAGES.getLearnerLearningEvents;
export type LearningEventsInput = {
  uln: string;
  givenName: string;
  familyName: string;
  dateOfBirth?: string;
  gender?: string;
  userType?: string;
  getType?: string;
};

const OUTCOMES: Record<string, LearningEventsResult['outcome']> = {
  WSRC0004: 'found',
  WSRC0022: 'linked',
  WSEC0206: 'not_shared',
  WSEC0208: 'not_verified',
  WSEC0136: 'invalid_uln',
};

/**
 * Every wrapper parameter is minOccurs=1 in the WSDL, so absent nillable ones are sent as xsi:nil (WCF style);
 * `vendorID` (capital ID here, unlike LearnerByUln) is a non-nillable int.
 */
export function buildGetLearnerLearningEvents(
  id: LrsIdentity,
  input: LearningEventsInput,
  language = 'ENG',
): WireObject {
  return {
    invokingOrganisation: {
      OrganisationRef: opt(id.organisationRef),
      Password: id.password,
      Ukprn: opt(id.ukprn),
      Username: id.userName,
    },
    userType: input.userType ?? 'ORG',
    vendorID: String(id.vendorId ?? 0),
    language,
    uln: input.uln,
    givenName: input.givenName,
    familyName: input.familyName,
    dateOfBirth: input.dateOfBirth ?? null,
    gender: input.gender ?? null,
    getType: input.getType ?? 'FULL',
  };
}

function parseEvent(n: Parameters<typeof readLeaves>[0]): LearningEvent {
  const l = readLeaves(n, ['ID', 'Credits']);
  return { ...l, id: childNumber(n, 'ID'), credits: childNumber(n, 'Credits') };
}

export function parseGetLearnerLearningEvents(body: SoapBody): LearningEventsResult {
  const r = resultNode(body, spec);
  const code = requireCode(r, spec.operation);
  return {
    ...resultBase(code),
    outcome: OUTCOMES[code] ?? 'unknown',
    foundUln: childText(r, 'FoundULN'),
    incomingUln: childText(r, 'IncomingULN'),
    events: children(child(r, 'LearnerRecord'), 'LearningEvent').map(parseEvent),
  };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const getLearnerLearningEvents = {
  spec,
  build: buildGetLearnerLearningEvents,
  parse: parseGetLearnerLearningEvents,
};
