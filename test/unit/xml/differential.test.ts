/**
 * Our parser against fast-xml-parser (kept as a dev dependency for this and canonical-xml.ts): on the
 * project's own fixtures, the envelopes our client builds, the simulator's fault bodies and a few varied
 * documents, both must see the same tree; on malformed documents, both must refuse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildEnvelope } from '../../../src/lrs/envelope.ts';
import * as op from '../../../src/lrs/operations/index.ts';
import type { LrsIdentity } from '../../../src/lrs/types.ts';
import {
  actionNotSupportedFault,
  domainFault,
  internalErrorFault,
  miapFault,
} from '../../../src/simulator/faults.ts';
import { parseXml, type XmlElement } from '../../../src/xml/parse.ts';

interface Tree {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Tree[];
}

type Item = Record<string, unknown> & { ':@'?: Record<string, string> };
const CDATA = '#cdata';
const reference = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // References are decoded below, in one pass, so CDATA (kept apart) is never decoded.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, ref: string) =>
    ref.startsWith('#x')
      ? String.fromCodePoint(parseInt(ref.slice(2), 16))
      : ref.startsWith('#')
        ? String.fromCodePoint(Number(ref.slice(1)))
        : (PREDEFINED[ref] ?? ''),
  );
}

function fromReference(items: Item[]): Tree[] {
  const out: Tree[] = [];
  for (const item of items) {
    const name = Object.keys(item).find((k) => k !== ':@' && k !== '#text' && k !== CDATA);
    if (name === undefined) continue;
    const content = item[name] as Item[];
    let text = '';
    for (const c of content) {
      if ('#text' in c) text += decode(String(c['#text']));
      else if (CDATA in c) for (const t of c[CDATA] as Item[]) text += String(t['#text']);
    }
    const attributes = Object.fromEntries(Object.entries(item[':@'] ?? {}).map(([k, v]) => [k, decode(v)]));
    out.push({ name, attributes, text, children: fromReference(content) });
  }
  return out;
}

function fromOurs(el: XmlElement): Tree {
  return {
    name: el.qname,
    attributes: Object.fromEntries(el.attributes.map((a) => [a.qname, a.value])),
    text: el.text,
    children: el.children.map(fromOurs),
  };
}

const dir = (d: string) => new URL(`../../fixtures/lrs/${d}/`, import.meta.url);
const files = (d: string) =>
  readdirSync(dir(d))
    .filter((f) => f.endsWith('.xml') && !f.startsWith('hostile'))
    .map((f): [string, string] => [`${d}/${f}`, readFileSync(new URL(f, dir(d)), 'utf8')]);

const id: LrsIdentity = {
  ukprn: '10099999',
  password: 'Pa55word-Pa55wd!',
  userName: 'mis.support@college.ac.uk',
};
const built: Array<[string, string]> = [
  [
    'learnerByDemographics, markup and non-ASCII in values',
    buildEnvelope(
      op.learnerByDemographics.spec,
      op.learnerByDemographics.build(id, {
        familyName: `O'Brien & <Sons> "Ltd"`,
        givenName: 'Zoë Ŀ 😀',
        dateOfBirth: '1976-08-16',
        gender: '2',
        lastKnownPostCode: 'CV4 9EE',
        previousFamilyName: '',
        placeOfBirth: 'a]]>b',
      }),
    ),
  ],
  [
    'verifyLearner with a nil element',
    buildEnvelope(op.verifyLearner.spec, {
      ...op.verifyLearner.build(id, {
        uln: '1026893096',
        familyName: 'Testname',
        givenName: 'Sample',
        dateOfBirth: '1976-08-16',
      }),
      LearnerToVerify: {
        ULN: '1026893096',
        FamilyName: 'Testname',
        GivenName: 'Sample',
        DateOfBirth: '1976-08-16',
        Gender: null,
      },
    }),
  ],
  [
    'submitBatchRegistration, repeated complex elements',
    buildEnvelope(
      op.submitBatchRegistration.spec,
      op.submitBatchRegistration.build(id, {
        jobType: 'CHK',
        learners: [
          {
            misIdentifier: 'STU-0001',
            givenName: 'Sample',
            familyName: 'Testname',
            emailAddress: 'sam@college.ac.uk',
          },
          { misIdentifier: 'STU-0002', givenName: 'TestOne', familyName: 'Tester&One' },
        ],
      }),
    ),
  ],
  [
    'learnerByUlnR9, other namespaces',
    buildEnvelope(
      op.learnerByUlnR9.spec,
      op.learnerByUlnR9.build(id, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
    ),
  ],
  [
    'simulator MIAP fault',
    miapFault('WSEC0005', 'Password for <org> & "user" is wrong', Date.UTC(2024, 0, 2, 3, 4, 5)),
  ],
  ['simulator DomainFault', domainFault('WSEC0206', `The learner's record can't be shared.`)],
  ['simulator ActionNotSupported fault', actionNotSupportedFault('http://tempuri.org/<Nope>')],
  ['simulator internal error fault', internalErrorFault()],
];

const varied: Array<[string, string]> = [
  [
    'declaration, comments, PIs and BOM',
    '\uFEFF<?xml version="1.0"?>\n<!-- c --><?pi x?><a>\n <!-- in --> 1<?p?>2 <b/>\n</a>\n<!-- after -->',
  ],
  ['CDATA among text', '<a>x<![CDATA[<b> & &amp; ]]]]>y<![CDATA[]]>z</a>'],
  [
    'attributes in both quotes with references',
    `<a x="1 &amp; 2" y='"q"' z="&#x41;&#66;&lt;" w='it&apos;s'><b c = "d"/></a>`,
  ],
  [
    'default namespaces redeclared and undeclared',
    '<a xmlns="urn:a"><b xmlns="urn:b"><c xmlns=""><d/></c></b></a>',
  ],
  [
    'prefixes redeclared in nested scopes',
    '<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c/></p:b><p:d/></p:a>',
  ],
  ['mixed content and white space kept', '<a>  lead <b> in b </b> mid <c/> tail  </a>'],
  ['references in text', '<a>&lt;tag&gt; &quot;q&quot; &apos;a&apos; &amp;amp; &#169;&#x1F600;</a>'],
  ['empty and self-closing elements', '<a><b></b><c/><d   /><e x="1"/></a>'],
  ['non-ASCII names and text', '<Prénom école="oui">Zoë</Prénom>'],
];

describe('our parser and fast-xml-parser see the same tree', () => {
  for (const [name, xml] of [...files('responses'), ...files('requests'), ...built, ...varied]) {
    it(name, () => {
      expect(XMLValidator.validate(xml)).toBe(true);
      const [theirs] = fromReference(reference.parse(xml) as Item[]);
      expect(fromOurs(parseXml(xml))).toEqual(theirs);
    });
  }
});

describe('malformed documents', () => {
  const bothRefuse = [
    '<a><b></a>',
    '<a></b>',
    '<a>',
    '<a x="1" x="2"/>',
    '<a x=1/>',
    '<1a/>',
    '<a><!-- unterminated</a>',
    '<a><![CDATA[ unterminated</a>',
    '<a></a',
  ];
  for (const xml of bothRefuse) {
    it(`both refuse ${xml}`, () => {
      expect(XMLValidator.validate(xml)).not.toBe(true);
      expect(() => parseXml(xml)).toThrow();
    });
  }
  // fast-xml-parser's validator lets these through; XML 1.0 does not, and neither do we.
  const onlyWeRefuse = ['<a x="1<2"/>', '<a/><b/>', '<a/>text', '<a>&nbsp;</a>', '<a><!-- a -- b --></a>'];
  for (const xml of onlyWeRefuse) {
    it(`we refuse ${xml}`, () => {
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(() => parseXml(xml)).toThrow();
    });
  }
});
