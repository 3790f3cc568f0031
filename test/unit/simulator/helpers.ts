/** Builders shared by the simulator unit tests. */
import { createXmlReader, type XmlNode } from '../../../src/simulator/xml.ts';

const read = createXmlReader();

/** Parses XML that must be well formed; returns its root element. */
export function xml(s: string): XmlNode {
  const r = read(s);
  if (!r.ok) throw new Error(r.message);
  return r.root;
}

/** A FindLearnerByDemographics body element with the given children (unqualified unless written otherwise). */
export function findRequest(children: string, rootAttrs = ''): XmlNode {
  return xml(
    `<fin:FindLearnerByDemographics xmlns:fin="http://api.lrs.miap.gov.uk/findmsg"${rootAttrs}>${children}</fin:FindLearnerByDemographics>`,
  );
}

export const CREDENTIALS =
  '<UKPRN>10000001</UKPRN><OrgPassword>Simulator-Pass16</OrgPassword><UserName>someone@example.org</UserName>';

export function demographics(
  o: { family?: string; given?: string; dob?: string; gender?: string; postcode?: string } = {},
): string {
  return (
    `<FamilyName>${o.family ?? 'Testname'}</FamilyName><GivenName>${o.given ?? 'Sample'}</GivenName><DateOfBirth>${o.dob ?? '1976-08-16'}</DateOfBirth>` +
    `<Gender>${o.gender ?? '2'}</Gender><LastKnownPostCode>${o.postcode ?? 'CV49EE'}</LastKnownPostCode>`
  );
}
