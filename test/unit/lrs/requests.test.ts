import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEnvelope, buildHeaders } from '../../../src/lrs/envelope.ts';
import { validateMessage, type MessageSpec, type WireObject } from '../../../src/lrs/messages.ts';
import * as op from '../../../src/lrs/operations/index.ts';
import type { LrsIdentity } from '../../../src/lrs/types.ts';
import { parseXml } from '../../../src/xml/parse.ts';
import { canonicalBody } from './canonical-xml.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/lrs/requests/${name}.request.xml`, import.meta.url), 'utf8');

const byUkprn: LrsIdentity = {
  ukprn: '10099999',
  password: 'Pa55word-Pa55wd!',
  userName: 'mis.support@college.ac.uk',
  vendorId: 42,
};
const byOrgRef: LrsIdentity = {
  organisationRef: 'ABC123',
  password: 'Pa55word-Pa55wd!',
  userName: 'mis.support@college.ac.uk',
};

/** The builder's verifyLearner message with Gender sent as xsi:nil (the builder omits an absent gender; the fixture pins nil). */
function withNilGender(wire: WireObject): WireObject {
  return { ...wire, LearnerToVerify: { ...(wire.LearnerToVerify as WireObject), Gender: null } };
}

const cases: Array<[string, MessageSpec, WireObject]> = [
  [
    'learnerByUln',
    op.learnerByUln.spec,
    op.learnerByUln.build(byUkprn, { uln: '1026893096', familyName: 'Testname', givenName: 'Sample' }),
  ],
  [
    'learnerByDemographics',
    op.learnerByDemographics.spec,
    op.learnerByDemographics.build(byUkprn, {
      familyName: "O'Brien & Sons",
      givenName: 'Test',
      dateOfBirth: '1976-08-16',
      gender: '2',
      lastKnownPostCode: 'CV4 9EE',
      previousFamilyName: '',
      placeOfBirth: 'Coventry',
    }),
  ],
  [
    'registerSingleLearner',
    op.registerSingleLearner.spec,
    op.registerSingleLearner.build(byUkprn, {
      abilityToShare: '1',
      verificationType: '0',
      emailAddress: 'sample.testname@college.ac.uk',
      gender: '2',
      dateOfBirth: '1976-08-16',
      lastKnownPostCode: 'CV4 9EE',
      lastKnownAddressLine1: '1 High Street',
      familyName: 'Testname',
      givenName: 'Sample',
      title: 'Ms',
    }),
  ],
  [
    'updateSingleLearner',
    op.updateSingleLearner.spec,
    op.updateSingleLearner.build(byUkprn, {
      versionNumber: 3,
      uln: '1026893096',
      givenName: 'Sample',
      familyName: 'Testname',
      lastKnownPostCode: 'BFPO 123',
      dateOfBirth: '1976-08-16',
      gender: '2',
      verificationType: '999',
      otherVerificationDescription: 'Passport seen',
      abilityToShare: '1',
    }),
  ],
  [
    'verifyLearner',
    op.verifyLearner.spec,
    withNilGender(
      op.verifyLearner.build(byOrgRef, {
        uln: '1026893096',
        familyName: 'Testname',
        givenName: 'Sample',
        dateOfBirth: '1976-08-16',
      }),
    ),
  ],
  [
    'submitBatchRegistration',
    op.submitBatchRegistration.spec,
    op.submitBatchRegistration.build(byUkprn, {
      jobType: 'CHK',
      learners: [
        {
          uln: '1026893096',
          misIdentifier: 'STU-0001',
          givenName: 'Sample',
          preferredGivenName: 'Sam',
          middleOtherName: 'Middle',
          familyName: 'Testname',
          lastKnownPostCode: 'CV4 9EE',
          dateOfBirth: '1976-08-16',
          emailAddress: 'sam@college.ac.uk',
          gender: '2',
          abilityToShare: '1',
          verificationType: '0',
        },
        { misIdentifier: 'STU-0002', givenName: 'TestOne', familyName: 'TesterOne' },
      ],
    }),
  ],
  [
    'getBatchRegistrationOutput',
    op.getBatchRegistrationOutput.spec,
    op.getBatchRegistrationOutput.build(byUkprn, '654321'),
  ],
  [
    'submitVerifyBatch',
    op.submitVerifyBatch.spec,
    op.submitVerifyBatch.build(byUkprn, {
      orgEmail: 'mis@college.ac.uk',
      learners: [
        {
          misIdentifier: 'STU-0001',
          uln: '1026893096',
          familyName: 'Testname',
          givenName: 'Sample',
          dateOfBirth: '1976-08-16',
          gender: '2',
        },
        { uln: '1174112637', familyName: 'TesterOne', givenName: 'TestOne' },
      ],
    }),
  ],
  ['getVerifyBatchOutput', op.getVerifyBatchOutput.spec, op.getVerifyBatchOutput.build(byUkprn, '777')],
  ['retrieveUlns', op.retrieveUlns.spec, op.retrieveUlns.build(byUkprn, ['4444599390', '1026893096'])],
  [
    'getLearnerLearningEvents',
    op.getLearnerLearningEvents.spec,
    op.getLearnerLearningEvents.build(byUkprn, {
      uln: '1174112637',
      givenName: 'TestOne',
      familyName: 'TesterOne',
      dateOfBirth: '1980-11-01',
    }),
  ],
  [
    'learnerByUlnR9',
    op.learnerByUlnR9.spec,
    op.learnerByUlnR9.build(byUkprn, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
  ],
  [
    'submitAchievementBatchJob',
    op.submitAchievementBatchJob.spec,
    op.submitAchievementBatchJob.build(byOrgRef, {
      emailAddress: 'ao-data@college.ac.uk',
      achievements: [
        {
          uln: '1026893096',
          unitOrQualificationReferenceNumber: '60312345',
          providerUkprn: '10099999',
          misIdentifier: 'AO-1',
          grade: 'Merit',
          givenName: 'Sample',
          gender: 2,
          familyName: 'Testname',
          dateOfBirth: '1976-08-16T00:00:00',
          actionDate: '2024-08-01T00:00:00',
          action: 1,
          achievementAwardDate: '2024-07-31T00:00:00',
        },
      ],
    }),
  ],
  [
    'getAchievementBatchJob',
    op.getAchievementBatchJob.spec,
    op.getAchievementBatchJob.build(byOrgRef, 987654),
  ],
];

describe('request envelopes match our fixtures structurally', () => {
  it('covers all fourteen operations', () => {
    expect(cases).toHaveLength(14);
  });
  for (const [name, spec, wire] of cases) {
    it(name, () => {
      expect(validateMessage(spec, wire)).toEqual([]);
      expect(canonicalBody(buildEnvelope(spec, wire))).toEqual(canonicalBody(fixture(name)));
    });
  }
});

describe('SOAPAction per service (docs/lrs.md §2.2)', () => {
  it('is empty for LearnerService.svc, the verifyLearner URI, and full URIs on R9/External', () => {
    expect(buildHeaders(op.learnerByUln.spec).soapaction).toBe('""');
    expect(buildHeaders(op.verifyLearner.spec).soapaction).toBe(
      '"http://tempuri.org/LearnerPortType/verifyLearner"',
    );
    expect(buildHeaders(op.getLearnerLearningEvents.spec).soapaction).toBe(
      '"http://tempuri.org/ILearnerServiceR9/GetLearnerLearningEvents"',
    );
    expect(buildHeaders(op.getAchievementBatchJob.spec).soapaction).toBe(
      '"http://api.lrs.qcf.gov.uk/services/IExternalService/GetAchievementBatchJob"',
    );
  });
  it('escapes markup in values and never lets a value add elements', () => {
    const xml = buildEnvelope(
      op.learnerByUln.spec,
      op.learnerByUln.build(byUkprn, { uln: '1026893096', familyName: '</FamilyName><X>', givenName: 'a&b' }),
    );
    expect(xml).toContain('&lt;/FamilyName&gt;&lt;X&gt;');
    expect(canonicalBody(xml).children.map((c) => c.name)).not.toContain('{}X');
  });
  it('drops characters XML cannot carry and keeps a carriage return as &#13;', () => {
    const xml = buildEnvelope(
      op.learnerByUln.spec,
      op.learnerByUln.build(byUkprn, {
        uln: '1026893096',
        familyName: 'Test\u0001name\uFFFE',
        givenName: 'Line\rTwo',
      }),
    );
    const root = parseXml(xml).children[0]?.children[0];
    expect(root?.children.find((c) => c.name === 'FamilyName')?.text).toBe('Testname');
    expect(root?.children.find((c) => c.name === 'GivenName')?.text).toBe('Line\rTwo');
  });
});
