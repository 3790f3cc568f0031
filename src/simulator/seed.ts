/**
 * The seeded register: the learners of the captured LRS samples (same ULNs and demographics, so a captured
 * request finds what the captured response shows), a few named fixtures for outcomes the captures only hint
 * at, and `--seed`-driven synthetic learners that make every outcome reachable. docs/simulator.md lists them.
 */
import { generateUln } from '../lrs/uln.ts';
import type { SimLearner } from './learner-record.ts';
import { createRandom, pickIndex, pickOne, type Random } from './prng.ts';

type Seeded = Omit<
  SimLearner,
  'linkedUlns' | 'learnerStatus' | 'versionNumber' | 'createdDate' | 'lastUpdatedDate'
> &
  Partial<Pick<SimLearner, 'learnerStatus' | 'versionNumber' | 'createdDate' | 'lastUpdatedDate'>>;

function complete(s: Seeded): SimLearner {
  return {
    createdDate: '2012-05-25',
    lastUpdatedDate: '2012-05-25',
    learnerStatus: '1',
    versionNumber: 1,
    linkedUlns: [],
    notes: '',
    ...s,
  };
}

/** Learners from the captured samples (docs/lrs.md §11.2). Masters before the records merged into them. */
export function capturedLearners(): SimLearner[] {
  return [
    // learnerByDemographics exact match (WSRC0004).
    complete({
      uln: '1026893096',
      title: 'Mrs',
      givenName: 'Sample',
      middleOtherName: 'Tester',
      familyName: 'Testname',
      preferredGivenName: 'Sample',
      previousFamilyName: 'OLDTESTNAME',
      familyNameAtAge16: 'TESTNAME',
      schoolAtAge16: 'Test Strategy School Foundation ',
      lastKnownAddressLine1: '1 JOBS LANE',
      lastKnownAddressTown: 'COVENTRY',
      lastKnownAddressCountyOrCity: 'WEST MIDLANDS',
      lastKnownPostCode: 'CV4 9EE',
      dateOfAddressCapture: '2009-04-25',
      dateOfBirth: '1976-08-16',
      placeOfBirth: 'Blean ',
      gender: '2',
      emailAddress: 'sample.testname@aol.compatibilitytest.com',
      scottishCandidateNumber: '845759406',
      verificationType: '1',
      tierLevel: '0',
      abilityToShare: '1',
    }),
    // Linked pair: the master returned with MasterSubstituted=Y …
    complete({
      uln: '6936002314',
      title: 'Mr',
      givenName: 'Testing-Sample',
      middleOtherName: 'AllTesting',
      familyName: 'Test',
      preferredGivenName: 'Sample',
      familyNameAtAge16: 'Testsurname',
      schoolAtAge16: 'Test Academy Bristol ',
      lastKnownAddressLine1: '28 TOLLOHILL SQUARE',
      lastKnownAddressTown: 'ABERDEEN',
      lastKnownAddressCountyOrCity: 'ABERDEENSHIRE',
      lastKnownPostCode: 'AB12 3EQ',
      dateOfAddressCapture: '2008-07-13',
      dateOfBirth: '1985-03-27',
      placeOfBirth: 'Whittlesey ',
      gender: '1',
      emailAddress: 'testing-sample.test@inbox.compatibilitytest.com',
      scottishCandidateNumber: '145589606',
      verificationType: '0',
      tierLevel: '0',
      abilityToShare: '1',
    }),
    // … and the merged record the captured search (Sample Test, 1985-03-27, 1, AB125EQ) hits.
    complete({
      uln: '4444599390',
      givenName: 'Sample',
      familyName: 'Test',
      lastKnownPostCode: 'AB12 5EQ',
      dateOfBirth: '1985-03-27',
      gender: '1',
      verificationType: '0',
      tierLevel: '0',
      abilityToShare: '1',
      mergedInto: '6936002314',
    }),
    // Possible match: searched with gender 2 and LU49QZ, on record gender 9 and LU4 9QX.
    complete({
      uln: '7667649978',
      givenName: 'Abbie',
      familyName: 'Evans',
      lastKnownPostCode: 'LU4 9QX',
      dateOfAddressCapture: '2008-06-20',
      dateOfBirth: '1994-02-06',
      gender: '9',
      verificationType: '1',
      tierLevel: '1',
      abilityToShare: '0',
      createdDate: '2008-06-20',
      lastUpdatedDate: '2008-06-20',
    }),
    // PLR exact match with the captured events (demographics from the captured request; postcode ours).
    complete({
      uln: '1174112637',
      givenName: 'TestOne',
      familyName: 'TesterOne',
      lastKnownPostCode: 'CV4 9EE',
      dateOfBirth: '1980-11-01',
      gender: '1',
      verificationType: '1',
      tierLevel: '0',
      abilityToShare: '1',
    }),
    // PLR not shared (WSEC0206). Only the ULN is in the capture; the names are ours.
    complete({
      uln: '1026922983',
      givenName: 'Sample',
      familyName: 'Private',
      lastKnownPostCode: 'CV4 9EE',
      dateOfBirth: '1990-01-01',
      gender: '2',
      verificationType: '1',
      tierLevel: '0',
      abilityToShare: '2',
    }),
    // The two candidates of the held-back two-candidate possible match (ULNs real, demographics ours).
    complete({
      uln: '1964986809',
      givenName: 'Jayden',
      familyName: 'Possible',
      lastKnownPostCode: 'B1 1AA',
      dateOfBirth: '2001-05-14',
      gender: '1',
      verificationType: '0',
      tierLevel: '0',
      abilityToShare: '1',
    }),
    complete({
      uln: '8383558804',
      givenName: 'Jaydon',
      familyName: 'Possible',
      lastKnownPostCode: 'B2 2AB',
      dateOfBirth: '2001-05-14',
      gender: '1',
      verificationType: '0',
      tierLevel: '0',
      abilityToShare: '1',
    }),
  ];
}

const GIVEN = [
  'Oliver',
  'Amelia',
  'Harry',
  'Isla',
  'Jack',
  'Ava',
  'George',
  'Mia',
  'Noah',
  'Ivy',
  'Leo',
  'Grace',
  'Arthur',
  'Freya',
  'Oscar',
  'Lily',
  'Charlie',
  'Florence',
  'Jacob',
  'Willow',
  'Thomas',
  'Rosie',
  'Alfie',
  'Evie',
  'Henry',
  'Poppy',
  'Theo',
  'Sophia',
  'Archie',
  'Elsie',
] as const;
const FAMILY = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Robinson',
  'Wright',
  'Thompson',
  'Walker',
  'White',
  'Edwards',
  'Hughes',
  'Green',
  'Hall',
  'Lewis',
  'Harris',
  'Clarke',
  'Patel',
  'Jackson',
  'Wood',
  'Turner',
  'Martin',
  'Cooper',
  'Hill',
  'Ward',
  'Morris',
  'Moore',
] as const;
const AREAS = ['CV', 'B', 'LS', 'M', 'NE', 'BS', 'L', 'SW', 'NW', 'EX'] as const;
const INWARD = 'ABDEFGHJLNPQRSTUWXYZ';

/** Demographics a test or demo can send to reach one outcome (GET /__admin/examples). */
export interface OutcomeExample {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: string;
  lastKnownPostCode: string;
  uln?: string | undefined;
}
export type OutcomeExamples = Partial<
  Record<'exact' | 'possible' | 'tooMany' | 'none' | 'linked' | 'notShared', OutcomeExample>
>;

function postcode(random: Random): string {
  return `${pickOne(random, AREAS)}${1 + pickIndex(random, 20)} ${pickIndex(random, 10)}${pickOne(random, [...INWARD])}${pickOne(random, [...INWARD])}`;
}

function dob(random: Random): string {
  const d = new Date(Date.UTC(1990, 0, 1) + pickIndex(random, 18 * 365) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/**
 * `count` synthetic learners from `seed`: mostly single learners (exact), with twins differing in postcode
 * (possible), one-letter spelling variants (possible), crowds of twelve sharing names and birth date (too many),
 * linked pairs (merged → master) and learners who do not share their PLR.
 */
export function syntheticLearners(
  seed: number,
  count: number,
): { learners: SimLearner[]; examples: OutcomeExamples } {
  const random = createRandom(seed);
  const learners: SimLearner[] = [];
  const examples: OutcomeExamples = {};
  const used = new Set<string>();
  const uln = (): string => {
    for (;;) {
      const u = generateUln(String(2 + pickIndex(random, 2)), pickIndex(random, 90_000_000));
      if (!used.has(u)) {
        used.add(u);
        return u;
      }
    }
  };
  const make = (over: Partial<SimLearner> = {}): SimLearner =>
    complete({
      uln: uln(),
      givenName: pickOne(random, GIVEN),
      familyName: pickOne(random, FAMILY),
      dateOfBirth: dob(random),
      gender: pickOne(random, ['1', '2']),
      lastKnownPostCode: postcode(random),
      verificationType: '0',
      tierLevel: '0',
      abilityToShare: '1',
      createdDate: '2019-09-01',
      lastUpdatedDate: '2019-09-01',
      ...over,
    });
  const pick = (l: SimLearner, over: Partial<OutcomeExample> = {}): OutcomeExample => ({
    givenName: l.givenName,
    familyName: l.familyName,
    dateOfBirth: l.dateOfBirth,
    gender: l.gender,
    lastKnownPostCode: l.lastKnownPostCode,
    uln: l.uln,
    ...over,
  });
  while (learners.length < count) {
    const r = random();
    const base = make();
    learners.push(base);
    if (r < 0.7) {
      examples.exact ??= pick(base);
    } else if (r < 0.8) {
      learners.push(
        make({
          givenName: base.givenName,
          familyName: base.familyName,
          dateOfBirth: base.dateOfBirth,
          gender: base.gender,
        }),
      );
      examples.possible ??= pick(base, { lastKnownPostCode: 'ZZ99 9ZZ', uln: undefined });
    } else if (r < 0.85) {
      learners.push(
        make({ givenName: `${base.givenName}e`, familyName: base.familyName, dateOfBirth: base.dateOfBirth }),
      );
    } else if (r < 0.9) {
      learners.push(
        make({
          givenName: base.givenName,
          familyName: base.familyName,
          dateOfBirth: base.dateOfBirth,
          mergedInto: base.uln,
          abilityToShare: base.abilityToShare,
        }),
      );
      const merged = learners[learners.length - 1];
      if (merged) examples.linked ??= pick(merged);
    } else if (r < 0.95) {
      base.abilityToShare = pickOne(random, ['0', '2']);
      examples.notShared ??= pick(base);
    } else {
      for (let i = 0; i < 11; i++)
        learners.push(
          make({ givenName: base.givenName, familyName: base.familyName, dateOfBirth: base.dateOfBirth }),
        );
      examples.tooMany ??= pick(base, { lastKnownPostCode: 'ZZ99 9ZZ', uln: undefined });
    }
  }
  examples.none = {
    givenName: 'Nobody',
    familyName: 'Nobody',
    dateOfBirth: '2000-01-01',
    gender: '2',
    lastKnownPostCode: 'CV4 9EE',
  };
  return { learners, examples };
}
