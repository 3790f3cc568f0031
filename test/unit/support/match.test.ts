import { describe, expect, it } from 'vitest';
import { compareCandidates, normaliseForMatch, readCandidates } from '../../../src/support/match.ts';

describe('compareCandidates', () => {
  const learner = {
    givenName: 'Ann',
    familyName: 'Lee',
    dateOfBirth: '2005-01-02',
    gender: '2',
    lastKnownPostCode: 'cv4 9ee',
  };

  it('highlights only the fields that differ, ignoring case and postcode spacing', () => {
    const rows = compareCandidates(learner, [
      {
        uln: '1',
        givenName: 'ANN',
        familyName: 'Lee',
        dateOfBirth: '2005-01-02',
        gender: '2',
        lastKnownPostCode: 'CV49EE',
      },
      {
        uln: '2',
        givenName: 'Anne',
        familyName: 'Lee',
        dateOfBirth: '2005-02-01',
        gender: '1',
        lastKnownPostCode: 'CV4 9EE',
      },
    ]);
    const diff = (field: string) => rows.find((r) => r.field === field)!.candidates.map((c) => c.isDifferent);
    expect(diff('givenName')).toEqual([false, true]);
    expect(diff('dateOfBirth')).toEqual([false, true]);
    expect(diff('gender')).toEqual([false, true]);
    expect(diff('lastKnownPostCode')).toEqual([false, false]);
    // The learner has no ULN: shown, never marked as a difference.
    expect(diff('uln')).toEqual([false, false]);
    expect(rows.some((r) => r.field === 'emailAddress')).toBe(false);
  });

  it('normalises values the way a person reads them', () => {
    expect(normaliseForMatch('lastKnownPostCode', ' cv4  9ee ')).toBe('CV49EE');
    expect(normaliseForMatch('familyName', 'van  der Berg')).toBe('VAN DER BERG');
    expect(normaliseForMatch('dateOfBirth', '2005-01-02T00:00:00')).toBe('2005-01-02');
  });

  it('reads only candidate objects with a ULN', () => {
    expect(readCandidates([{ uln: '1' }, { givenName: 'x' }, null, 'y'])).toEqual([{ uln: '1' }]);
    expect(readCandidates({ uln: '1' })).toEqual([]);
  });
});
