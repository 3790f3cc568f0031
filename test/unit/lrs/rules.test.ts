import { describe, expect, it } from 'vitest';
import { RULES, type RuleName } from '../../../src/lrs/rules.ts';
import { computeUlnCheckDigit, generateUln, isValidUln } from '../../../src/lrs/uln.ts';

/** [rule, accepted values, refused values] — both sides of every boundary. */
const TABLE: Array<[RuleName, string[], string[]]> = [
  ['nameNonEmpty', ['a', 'x'.repeat(35), ' a '], ['', 'x'.repeat(36), '   ', '\t\n']],
  ['name', ['', 'x'.repeat(35)], ['x'.repeat(36)]],
  ['orgPassword', ['p'.repeat(16), ' '.repeat(15) + 'p'], ['p'.repeat(15), 'p'.repeat(17), ' '.repeat(16)]],
  ['userName', ['u', 'u'.repeat(35)], ['', 'u'.repeat(36)]],
  ['ukprn', ['10099999', 'TEST0001'], ['1009999', '100999999', '1009999-']],
  ['organisationRef', ['ABC123', 'abc123'], ['ABC12', 'ABC1234', 'ABC 12']],
  [
    'uln',
    ['1026893096', '4444599390', '9276308686'],
    ['1234567890', '1000000063', '9999999999', '0123456789', '102689309', '10268930960'],
  ],
  ['ulnOrEmpty', ['', '1026893096'], ['1234567890']],
  ['ulnPattern', ['1234567890'], ['0123456789', '123456789a']],
  [
    'date',
    ['1800-01-01', '2099-12-31', '2000-02-29', '1900-02-29', '1800-02-29', '2024-02-29', '2023-04-30'],
    [
      '1799-12-31',
      '2100-01-01',
      '2023-02-29',
      '2023-04-31',
      '2023-13-01',
      '2023-00-10',
      '2023-01-00',
      '23-01-01',
      '2023-1-1',
      '',
    ],
  ],
  ['dateOrEmpty', ['', '2001-01-01'], ['2001-02-30']],
  ['dateTime', ['2025-01-14 15:23:47'], ['2025-01-14T15:23:47', '2025-01-14 24:00:00']],
  [
    'isoDateTime',
    ['2024-07-31T00:00:00', '2024-07-31T00:00:00Z', '2024-07-31T23:59:59.1234567+01:00'],
    // A bare date is not an xs:dateTime: the client writes one as 2024-07-31T00:00:00 first (dates.ts).
    ['2024-07-31', '2024-02-30T00:00:00', '0000-01-01T00:00:00', '31/07/2024', '2024-07-31T24:00:00', ''],
  ],
  ['gender', ['0', '1', '2', '9'], ['3', '', 'M']],
  ['genderOrEmpty', ['', '9'], ['3']],
  [
    'postcode',
    [
      'CV4 9EE',
      'CV49EE',
      'cv4 9ee',
      'EC1A 1BB',
      'W1A 0AX',
      'M1 1AE',
      'CV4 9EE  ',
      'BFPO 123',
      'bfpo1',
      'BFPO 1234',
      'ZZ99 9ZZ',
    ],
    ['CV4 9EC', 'CV4 9IE', 'CV4 9EE   ', 'BFPO 12345', 'BFPO', '12345', '', 'CV4  9EE'],
  ],
  ['postcodeOrEmpty', ['', 'CV4 9EE'], ['XYZ']],
  [
    'email',
    ['', 'a@bb.uk', 'first.last+tag@college.ac.uk', 'x@' + 'd'.repeat(63) + '.com'],
    [
      'a@b.uk',
      'a@bb.toolongtld',
      'a@-bb.uk',
      'a..b@bb.uk',
      'no-at.uk',
      'x@' + 'd'.repeat(64) + '.com',
      'a'.repeat(250) + '@bb.uk',
    ],
  ],
  ['schoolName', ['x'.repeat(254)], ['x'.repeat(255)]],
  ['address', ['x'.repeat(50)], ['x'.repeat(51)]],
  ['nationality', ['GBR', ''], ['GBRX']],
  ['scottishCandidateNumber', ['', '123456789'], ['12345678', '1234567890', 'abcdefghi']],
  ['verificationType', ['0', '7', '999'], ['8', '99', '']],
  ['otherVerificationDescription', ['x'.repeat(255)], ['x'.repeat(256)]],
  ['abilityToShare', ['0', '1', '2'], ['3', '-1', '']],
  ['tierLevel', ['0', '2'], ['3']],
  ['learnerStatus', ['0', '2'], ['3']],
  ['notes', ['x'.repeat(4000)], ['x'.repeat(4001)]],
  ['misIdentifier', ['', 'x'.repeat(128)], ['x'.repeat(129)]],
  ['findType', ['FUL', 'CHK'], ['ful', 'FULL']],
  ['userType', ['LNR', 'ORG', 'SER'], ['XYZ']],
  ['learnerRecordCount', ['1', '200'], ['0', '201', 'x']],
  ['verifyRecordCount', ['1', '5000'], ['0', '5001']],
  ['jobIdLong', ['1', '9223372036854775807'], ['0', '-1', 'abc']],
];

describe('MIAP field rules (docs/lrs.md §3.1)', () => {
  for (const [rule, good, bad] of TABLE) {
    it(rule, () => {
      for (const v of good)
        expect(RULES[rule](v), `${rule} should accept ${JSON.stringify(v)}`).toBeUndefined();
      for (const v of bad)
        expect(RULES[rule](v), `${rule} should refuse ${JSON.stringify(v)}`).toEqual(expect.any(String));
    });
  }
  it('messages never quote the value', () => {
    expect(RULES.nameNonEmpty('x'.repeat(36))).not.toContain('xxx');
    expect(RULES.postcode('SECRET1')).not.toContain('SECRET');
  });
});

describe('ULN check digit (docs/lrs.md §6)', () => {
  it('matches the worked examples', () => {
    expect(computeUlnCheckDigit('102689309')).toBe(6);
    expect(computeUlnCheckDigit('444459939')).toBe(0);
    expect(computeUlnCheckDigit('100000006')).toBeUndefined();
    expect(isValidUln('1964986809')).toBe(true);
    expect(isValidUln('1234567890')).toBe(false);
  });
  it('generateUln makes valid ULNs, distinct per sequence', () => {
    const ulns = Array.from({ length: 50 }, (_, i) => generateUln('9', i * 7));
    for (const u of ulns) expect(isValidUln(u)).toBe(true);
    expect(() => generateUln('0')).toThrow();
  });
});
