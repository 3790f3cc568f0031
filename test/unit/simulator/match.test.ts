import { describe, expect, it } from 'vitest';
import type { SimLearner } from '../../../src/simulator/learner-record.ts';
import {
  compareForVerify,
  editDistance,
  identityKey,
  isPossibleMatch,
  normaliseName,
  normalisePostcode,
} from '../../../src/simulator/match.ts';

const learner = (o: Partial<SimLearner> = {}): SimLearner => ({
  uln: '1026893096',
  givenName: 'Sample',
  familyName: 'Testname',
  previousFamilyName: 'OLDTESTNAME',
  dateOfBirth: '1976-08-16',
  gender: '2',
  lastKnownPostCode: 'CV4 9EE',
  createdDate: '2012-05-25',
  lastUpdatedDate: '2012-05-25',
  abilityToShare: '1',
  learnerStatus: '1',
  versionNumber: 1,
  linkedUlns: [],
  ...o,
});

describe('normalisation', () => {
  it('ignores case and spaces in names and postcodes', () => {
    expect(normaliseName(' de  la Cruz ')).toBe('DELACRUZ');
    expect(normalisePostcode('cv4 9ee ')).toBe(normalisePostcode('CV49EE'));
  });

  it('gives the same identity key to the same person typed differently', () => {
    const a = {
      givenName: 'sample',
      familyName: 'TESTNAME',
      dateOfBirth: '1976-08-16',
      gender: '2',
      lastKnownPostCode: 'cv49ee',
    };
    expect(identityKey(a)).toBe(identityKey(learner()));
    expect(identityKey({ ...a, gender: '1' })).not.toBe(identityKey(learner()));
  });
});

describe('possible matches', () => {
  it('accepts same names with other postcode or gender, near spellings, previous family name and swapped names', () => {
    expect(isPossibleMatch({ givenName: 'Sample', familyName: 'Testname' }, learner())).toBe(true);
    expect(isPossibleMatch({ givenName: 'Sampel', familyName: 'Testname' }, learner())).toBe(true);
    expect(isPossibleMatch({ givenName: 'Sample', familyName: 'Tesname' }, learner())).toBe(true);
    expect(isPossibleMatch({ givenName: 'Sample', familyName: 'Oldtestname' }, learner())).toBe(true);
    expect(isPossibleMatch({ givenName: 'Testname', familyName: 'Sample' }, learner())).toBe(true);
  });

  it('rejects different people', () => {
    expect(isPossibleMatch({ givenName: 'Oliver', familyName: 'Testname' }, learner())).toBe(false);
    expect(isPossibleMatch({ givenName: 'Sample', familyName: 'Jones' }, learner())).toBe(false);
    expect(isPossibleMatch({ givenName: 'Al', familyName: 'Testname' }, learner({ givenName: 'Ed' }))).toBe(
      false,
    );
  });

  it('counts edits', () => {
    expect(editDistance('ABBIE', 'ABBY', 2)).toBe(2);
    expect(editDistance('ABBIE', 'ZOE', 2)).toBe(3);
  });
});

describe('verification flags', () => {
  it('is exact with no flags when everything supplied matches', () => {
    expect(
      compareForVerify(
        { givenName: 'sample', familyName: 'testname', dateOfBirth: '1976-08-16', gender: '2' },
        learner(),
      ),
    ).toEqual({ namesAccepted: true, exact: true, flags: [] });
  });

  it('flags a date of birth and gender mismatch but still accepts the names', () => {
    const c = compareForVerify(
      { givenName: 'Sample', familyName: 'Testname', dateOfBirth: '1976-08-17', gender: '1' },
      learner(),
    );
    expect(c).toEqual({ namesAccepted: true, exact: false, flags: ['VRF7', 'VRF8'] });
  });

  it('accepts swapped names and the previous family name with the failed direct checks flagged', () => {
    expect(compareForVerify({ givenName: 'Testname', familyName: 'Sample' }, learner())).toMatchObject({
      namesAccepted: true,
      exact: false,
      flags: ['VRF1', 'VRF3', 'VRF5', 'VRF6'],
    });
    expect(compareForVerify({ givenName: 'Sample', familyName: 'OldTestName' }, learner())).toMatchObject({
      namesAccepted: true,
      flags: ['VRF2', 'VRF3', 'VRF4', 'VRF5'],
    });
  });

  it('does not accept other names', () => {
    expect(compareForVerify({ givenName: 'Oliver', familyName: 'Jones' }, learner()).namesAccepted).toBe(
      false,
    );
  });
});
