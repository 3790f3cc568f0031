import { describe, expect, it } from 'vitest';
import {
  ImportSetupError,
  mapRecord,
  parseMapOption,
  planColumns,
  splitFullName,
  toGender,
  toIsoDate,
} from '../../src/import/map.ts';
import { validateImportRow } from '../../src/import/validate.ts';

describe('import: reading MIS cells', () => {
  it('reads UK and ISO dates and refuses impossible or ambiguous ones', () => {
    expect(toIsoDate('03/04/2008')).toEqual({ value: '2008-04-03' });
    expect(toIsoDate('1/9/2007')).toEqual({ value: '2007-09-01' });
    expect(toIsoDate('29.02.2008')).toEqual({ value: '2008-02-29' });
    expect(toIsoDate('2008-11-30')).toEqual({ value: '2008-11-30' });
    expect(toIsoDate('29/02/2007')).toMatchObject({ problem: expect.stringMatching(/not a real date/) });
    expect(toIsoDate('12/13/2008')).toMatchObject({ problem: expect.stringMatching(/not a real date/) });
    expect(toIsoDate('03/04/08')).toMatchObject({ problem: expect.stringMatching(/two-digit year/) });
    expect(toIsoDate('yesterday')).toMatchObject({ problem: expect.stringMatching(/not a date/) });
  });

  it('maps sex letters and words to LRS gender codes', () => {
    expect(['M', 'f', 'U', 'x', 'Female', 'not specified', '1'].map((v) => toGender(v))).toEqual(
      ['1', '2', '0', '9', '2', '9', '1'].map((value) => ({ value })),
    );
    expect(toGender('Z')).toHaveProperty('problem');
  });

  it('splits one name column into given, middle and family names', () => {
    expect(splitFullName('Abbott, Aaliyah Grace')).toEqual({
      familyName: 'Abbott',
      givenName: 'Aaliyah',
      middleOtherName: 'Grace',
    });
    expect(splitFullName('Callum James Bannerman')).toEqual({
      givenName: 'Callum',
      familyName: 'Bannerman',
      middleOtherName: 'James',
    });
    expect(splitFullName('Madonna')).toEqual({ givenName: 'Madonna' });
  });

  it('finds common MIS column names and applies --map, refusing ambiguity and a missing id', () => {
    const plan = planColumns(
      ['Learner Ref', 'Forename', 'SURNAME', 'D.O.B', 'Sex', 'Post Code', 'Tutor'],
      parseMapOption('D.O.B=dateOfBirth'),
    );
    expect(plan.fields).toEqual([
      'misLearnerId',
      'givenName',
      'familyName',
      'dateOfBirth',
      'gender',
      'lastKnownPostCode',
      null,
    ]);
    expect(plan.ignored).toEqual(['Tutor']);
    expect(() => planColumns(['forename', 'first_name', 'id'], new Map())).toThrow(/both map to givenName/);
    expect(() => planColumns(['forename', 'surname'], new Map())).toThrow(ImportSetupError);
    expect(() => parseMapOption('a=notAField')).toThrow(/unknown LRS field/);
    expect(() => planColumns(['id'], parseMapOption('missing=uln'))).toThrow(/not in the file/);
  });

  it('reports unreadable cells by field without their value', () => {
    const plan = planColumns(['id', 'forename', 'dob'], new Map());
    const r = mapRecord(['S1', 'Ren\ufffde', '31/02/2008'], plan);
    expect(r.problems).toEqual([
      { field: 'givenName', problem: expect.stringMatching(/not UTF-8/) },
      { field: 'dateOfBirth', problem: 'is not a real date (no such day)' },
    ]);
    expect(JSON.stringify(r.problems)).not.toMatch(/Ren|31\/02/);
  });
});

describe('import: the LRS rules per kind', () => {
  const learner = {
    givenName: 'Aaliyah',
    familyName: 'Abbott',
    dateOfBirth: '2008-04-03',
    gender: '2',
    lastKnownPostCode: 'CV4 9EE',
    verificationType: '0',
    abilityToShare: '0',
  };

  it('accepts a complete learner and SQL/XML metacharacters as plain data', () => {
    expect(validateImportRow('register', learner)).toEqual([]);
    expect(
      validateImportRow('register', {
        ...learner,
        givenName: "'; drop table x; --",
        familyName: ']]></Learner>',
      }),
    ).toEqual([]);
  });

  it('names the field and rule of every problem', () => {
    expect(validateImportRow('register', { ...learner, familyName: 'x'.repeat(36) })).toEqual([
      { field: 'familyName', problem: 'must be 1–35 characters' },
    ]);
    expect(
      validateImportRow('register', { ...learner, dateOfBirth: '1750-01-01', lastKnownPostCode: 'NOT KNOWN' })
        .map((p) => p.field)
        .sort(),
    ).toEqual(['dateOfBirth', 'lastKnownPostCode']);
    expect(validateImportRow('register', { ...learner, abilityToShare: '' })).toEqual([
      { field: 'abilityToShare', problem: expect.any(String) },
    ]);
    expect(validateImportRow('verify', { uln: '1026893097', givenName: 'A', familyName: 'B' })).toEqual([
      { field: 'uln', problem: expect.stringMatching(/check digit/) },
    ]);
    expect(validateImportRow('find_by_uln', { givenName: 'A', familyName: 'B' })).toEqual([
      { field: 'uln', problem: 'is required' },
    ]);
    expect(
      validateImportRow('update', { ...learner, uln: '1026893096', emailAddress: 'not-an-email' }),
    ).toEqual([{ field: 'emailAddress', problem: expect.any(String) }]);
  });
});
