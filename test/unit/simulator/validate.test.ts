import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../../../src/lrs/messages.ts';
import { validateRequest } from '../../../src/simulator/validate.ts';
import { CREDENTIALS, demographics, findRequest, xml } from './helpers.ts';

const spec = MESSAGES.learnerByDemographics;

describe('strict LearnerService.svc validation', () => {
  it('accepts the captured request shape, empty optional criteria included', () => {
    const body = findRequest(
      `<FindType>FUL</FindType>${CREDENTIALS}${demographics()}<PreviousFamilyName></PreviousFamilyName><SchoolAtAge16></SchoolAtAge16><PlaceOfBirth></PlaceOfBirth><EmailAddress></EmailAddress>`,
    );
    expect(validateRequest(spec, body)).toBeUndefined();
  });

  it('refuses qualified children, the mistake soap makes with the published WSDL', () => {
    const body = xml(
      `<FindLearnerByDemographics xmlns="http://api.lrs.miap.gov.uk/findmsg"><FindType>FUL</FindType>${CREDENTIALS}${demographics()}</FindLearnerByDemographics>`,
    );
    expect(validateRequest(spec, body)).toMatch(
      /^cvc-complex-type\.2\.4\.a: Invalid content was found starting with element '\{"http:\/\/api\.lrs\.miap\.gov\.uk\/findmsg":FindType\}'\. One of '\{FindType\}' is expected\.$/,
    );
  });

  it('names a missing mandatory element, listing the optional ones that could also come next', () => {
    const body = findRequest(
      `<FindType>FUL</FindType><OrgPassword>Simulator-Pass16</OrgPassword><UserName>u</UserName><GivenName>Sample</GivenName>`,
    );
    expect(validateRequest(spec, body)).toBe(
      "cvc-complex-type.2.4.a: Invalid content was found starting with element 'GivenName'. One of '{FamilyName}' is expected.",
    );
    const cut = findRequest(`<FindType>FUL</FindType><UKPRN>10000001</UKPRN>`);
    expect(validateRequest(spec, cut)).toBe(
      "cvc-complex-type.2.4.b: The content of element 'FindLearnerByDemographics' is not complete. One of '{OrgPassword}' is expected.",
    );
  });

  it('refuses elements out of order or unknown', () => {
    const swapped = findRequest(
      `<FindType>FUL</FindType>${CREDENTIALS}<GivenName>Sample</GivenName><FamilyName>Testname</FamilyName>`,
    );
    expect(validateRequest(spec, swapped)).toMatch(
      /^cvc-complex-type\.2\.4\.a: .*'GivenName'.*'\{FamilyName\}'/,
    );
    const extra = findRequest(
      `<FindType>FUL</FindType>${CREDENTIALS}${demographics()}<EmailAddress/><Shoe>9</Shoe>`,
    );
    expect(validateRequest(spec, extra)).toMatch(
      /^cvc-complex-type\.2\.4\.d: Invalid content was found starting with element 'Shoe'/,
    );
  });

  it('applies the MIAP facets and names the field without quoting the value', () => {
    const cases: [string, RegExp][] = [
      [demographics({ given: 'x'.repeat(36) }), /'GivenName' is not valid for type 'MIAPNameNonEmpty'/],
      [demographics({ dob: '2001-02-29' }), /'DateOfBirth' is not valid for type 'MIAPDate'/],
      [demographics({ gender: '3' }), /'Gender' is not valid for type 'MIAPGender'/],
      [demographics({ postcode: 'CV4 9CE' }), /'LastKnownPostCode' is not valid for type 'MIAPPostCode'/],
    ];
    for (const [d, re] of cases) {
      const problem = validateRequest(spec, findRequest(`<FindType>FUL</FindType>${CREDENTIALS}${d}`));
      expect(problem).toMatch(re);
      expect(problem).toMatch(/^cvc-type\.3\.1\.3: /);
      expect(problem).not.toContain('xxxxxxxx');
    }
    const shortPassword = findRequest(
      `<FindType>FUL</FindType><UKPRN>10000001</UKPRN><OrgPassword>short</OrgPassword><UserName>u</UserName>${demographics()}`,
    );
    expect(validateRequest(spec, shortPassword)).toMatch(
      /'OrgPassword' is not valid for type 'MIAPOrgPassword': must be exactly 16 characters/,
    );
  });

  it('allows xsi:nil only where the schema says nillable', () => {
    const nilUkprn = findRequest(
      `<FindType>FUL</FindType><OrganisationRef xsi:nil="true"/>${CREDENTIALS}${demographics()}`,
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    );
    expect(validateRequest(spec, nilUkprn)).toBeUndefined();
    const nilName = findRequest(
      `<FindType>FUL</FindType>${CREDENTIALS}<FamilyName xsi:nil="true"/>`,
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    );
    expect(validateRequest(spec, nilName)).toMatch(/^cvc-elt\.3\.1: .*'FamilyName'/);
  });

  it('checks the ULN pattern as the schema does, not the check digit', () => {
    const byUln = (uln: string) =>
      xml(
        `<fin:FindLearnerByULN xmlns:fin="http://api.lrs.miap.gov.uk/findmsg"><FindType>FUL</FindType>${CREDENTIALS}<ULN>${uln}</ULN><FamilyName>A</FamilyName><GivenName>B</GivenName></fin:FindLearnerByULN>`,
      );
    expect(validateRequest(MESSAGES.learnerByUln, byUln('1234567890'))).toBeUndefined();
    expect(validateRequest(MESSAGES.learnerByUln, byUln('0123456789'))).toMatch(
      /'ULN' is not valid for type 'MIAPULN'/,
    );
  });

  it('uses configured batch limits instead of the schema maximum', () => {
    const learner = '<Learner><GivenName>A</GivenName><FamilyName>B</FamilyName></Learner>';
    const batch = (n: number) =>
      xml(
        `<b:SubmitBatch xmlns:b="http://api.lrs.miap.gov.uk/batchmsg">${CREDENTIALS}<JobType>FUL</JobType><LearnerRecordCount>${n}</LearnerRecordCount>${learner.repeat(n)}</b:SubmitBatch>`,
      );
    const limits = (limit: number) => ({
      maxOf: (f: { name: string }) => (f.name === 'Learner' ? limit : undefined),
      checkOf: (f: { name: string }) =>
        f.name === 'LearnerRecordCount'
          ? (v: string) => (Number(v) <= limit ? undefined : `must be at most ${limit}`)
          : undefined,
    });
    expect(validateRequest(MESSAGES.submitBatchRegistration, batch(3), limits(3))).toBeUndefined();
    expect(validateRequest(MESSAGES.submitBatchRegistration, batch(4), limits(3))).toMatch(
      /'LearnerRecordCount' is not valid/,
    );
    expect(validateRequest(MESSAGES.submitBatchRegistration, batch(201))).toMatch(/LearnerRecordCount/);
  });
});
