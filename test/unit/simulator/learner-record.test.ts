import { describe, expect, it } from 'vitest';
import { REGISTER_FIELDS, renderLearner, type SimLearner } from '../../../src/simulator/learner-record.ts';
import { xml } from './helpers.ts';

/** docs/lrs.md §4.3: the fixed child order of a FindLearnerResponse `Learner`. */
const WIRE_ORDER = [
  'CreatedDate',
  'LastUpdatedDate',
  'ULN',
  'MasterSubstituted',
  'Title',
  'GivenName',
  'MiddleOtherName',
  'FamilyName',
  'PreferredGivenName',
  'PreviousFamilyName',
  'FamilyNameAtAge16',
  'SchoolAtAge16',
  'LastKnownAddressLine1',
  'LastKnownAddressLine2',
  'LastKnownAddressTown',
  'LastKnownAddressCountyOrCity',
  'LastKnownPostCode',
  'DateOfAddressCapture',
  'DateOfBirth',
  'PlaceOfBirth',
  'Gender',
  'EmailAddress',
  'Nationality',
  'ScottishCandidateNumber',
  'VerificationType',
  'OtherVerificationDescription',
  'TierLevel',
  'AbilityToShare',
  'LearnerStatus',
  'LinkedULNs',
  'Notes',
  'VersionNumber',
];

describe('renderLearner', () => {
  it('writes every field of a full record in the wire order', () => {
    const record: Record<string, unknown> = {
      uln: '1234567897',
      createdDate: '2020-01-01',
      lastUpdatedDate: '2020-01-02',
      versionNumber: 2,
      learnerStatus: '1',
      tierLevel: '0',
      linkedUlns: ['9276308686'],
    };
    for (const [name, key] of REGISTER_FIELDS) record[key] = `v ${name}`;
    const rendered = renderLearner(record as unknown as SimLearner, true);
    expect(xml(rendered).children.map((c) => c.name)).toEqual(WIRE_ORDER);
    expect(rendered).toContain(
      '<OtherVerificationDescription>v OtherVerificationDescription</OtherVerificationDescription><TierLevel>0</TierLevel>',
    );
  });
});
