/**
 * The simulator's learner record and how it goes on the wire as a FindLearnerResponse `Learner`
 * (docs/lrs.md §4.3: fixed element order, unqualified children, `LinkedULNs` qualified in the learner namespace).
 */
import type { LrsLearner } from '../lrs/types.ts';
import { el, elKeepEmpty, escapeXml, NS } from './xml.ts';

/** A learner held by the simulator. Merged (non-master) records carry `mergedInto`. */
export interface SimLearner extends LrsLearner {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: string;
  lastKnownPostCode: string;
  createdDate: string;
  lastUpdatedDate: string;
  abilityToShare: string;
  learnerStatus: string;
  versionNumber: number;
  /** Master ULN when this record was merged into another (a linked learner). */
  mergedInto?: string | undefined;
}

/** The LearnerToRegister fields (docs/lrs.md §4.4) in wire order: element name and record key. */
export const REGISTER_FIELDS = [
  ['Title', 'title'],
  ['GivenName', 'givenName'],
  ['MiddleOtherName', 'middleOtherName'],
  ['FamilyName', 'familyName'],
  ['PreferredGivenName', 'preferredGivenName'],
  ['PreviousFamilyName', 'previousFamilyName'],
  ['FamilyNameAtAge16', 'familyNameAtAge16'],
  ['SchoolAtAge16', 'schoolAtAge16'],
  ['LastKnownAddressLine1', 'lastKnownAddressLine1'],
  ['LastKnownAddressLine2', 'lastKnownAddressLine2'],
  ['LastKnownAddressTown', 'lastKnownAddressTown'],
  ['LastKnownAddressCountyOrCity', 'lastKnownAddressCountyOrCity'],
  ['LastKnownPostCode', 'lastKnownPostCode'],
  ['DateOfAddressCapture', 'dateOfAddressCapture'],
  ['DateOfBirth', 'dateOfBirth'],
  ['PlaceOfBirth', 'placeOfBirth'],
  ['Gender', 'gender'],
  ['EmailAddress', 'emailAddress'],
  ['Nationality', 'nationality'],
  ['ScottishCandidateNumber', 'scottishCandidateNumber'],
  ['VerificationType', 'verificationType'],
  ['OtherVerificationDescription', 'otherVerificationDescription'],
  ['AbilityToShare', 'abilityToShare'],
  ['Notes', 'notes'],
] as const satisfies readonly (readonly [string, keyof SimLearner])[];

export type RegisterFieldKey = (typeof REGISTER_FIELDS)[number][1];

/** A `Learner` response element lists the register fields in the same order up to OtherVerificationDescription (docs/lrs.md §4.3). */
const RESPONSE_FIELDS = REGISTER_FIELDS.slice(
  0,
  REGISTER_FIELDS.findIndex(([name]) => name === 'OtherVerificationDescription') + 1,
);

/** `<Learner>…</Learner>` for a find response. `masterSubstituted` adds `MasterSubstituted=Y` (linked learner). */
export function renderLearner(l: SimLearner, masterSubstituted = false): string {
  let x = `<Learner>${el('CreatedDate', l.createdDate)}${el('LastUpdatedDate', l.lastUpdatedDate)}${el('ULN', l.uln)}`;
  if (masterSubstituted) x += '<MasterSubstituted>Y</MasterSubstituted>';
  for (const [name, key] of RESPONSE_FIELDS) x += el(name, l[key]);
  x += `${el('TierLevel', l.tierLevel)}${el('AbilityToShare', l.abilityToShare)}${el('LearnerStatus', l.learnerStatus)}`;
  x +=
    l.linkedUlns.length === 0
      ? `<LinkedULNs xmlns="${NS.learner}"/>`
      : `<LinkedULNs xmlns="${NS.learner}">${l.linkedUlns.map((u) => `<ULN xmlns="">${escapeXml(u)}</ULN>`).join('')}</LinkedULNs>`;
  x += `${elKeepEmpty('Notes', l.notes ?? '')}${el('VersionNumber', l.versionNumber)}</Learner>`;
  return x;
}
