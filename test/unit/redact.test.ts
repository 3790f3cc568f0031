/**
 * The LRS's free text loses the request's own personal values whatever the wording: names whole and in
 * parts (never inside other words), dates of birth in every written form, postcodes with or without
 * their space, e-mail, address, place of birth, school, ULN. Our codes and other words stay.
 */
import { describe, expect, it } from 'vitest';
import { LrsError } from '../../src/lrs/errors.ts';
import { createRedactor, redactLrsError } from '../../src/requests/redact.ts';

const LEARNER = {
  givenName: 'Mary-Jane',
  familyName: "O'Brien",
  middleOtherName: 'Zoë J',
  preferredGivenName: 'Maz',
  previousFamilyName: 'Van der Berg',
  dateOfBirth: '2005-01-31',
  gender: '2',
  lastKnownPostCode: 'SW1A 1AA',
  emailAddress: 'mj.obrien@example.com',
  lastKnownAddressLine1: '12 Acacia Avenue',
  lastKnownAddressTown: 'Newcastle upon Tyne',
  placeOfBirth: 'Truro',
  schoolAtAge16: "St Mary's High School",
  uln: '1234567890',
};
const redact = createRedactor([LEARNER]);

describe('createRedactor', () => {
  it('finds the names whole and in parts, in any case, with any dash or apostrophe, accents or not', () => {
    const cases: [string, string][] = [
      ['Learner MARY-JANE O’BRIEN not found', 'Learner [given name] [family name] not found'],
      ["Value 'Mary Jane' of element 'GivenName'", "Value '[given name]' of element 'GivenName'"],
      ['name maryjane obrien differs', 'name [given name] [family name] differs'],
      ['GivenName=Jane;FamilyName=Brien', 'GivenName=[given name];FamilyName=[family name]'],
      ['other names ZOE, Zoë', 'other names [other name], [other name]'],
      ['known as Maz', 'known as [preferred given name]'],
      ['previously VAN DER BERG (Berg)', 'previously [previous family name] ([previous family name])'],
    ];
    for (const [text, expected] of cases) expect(redact(text)).toBe(expected);
  });

  it('never redacts inside another word, nor initials, nor words that are not the values', () => {
    const common = createRedactor([{ givenName: 'Will', familyName: 'May', middleOtherName: 'Rose A' }]);
    expect(common('Willow Mayfield and Rosemary: WILL MAY, rose')).toBe(
      'Willow Mayfield and Rosemary: [given name] [family name], [other name]',
    );
    // "A" is an initial: too short to look for; "Ann" is not found in "Anna" or "Anné".
    expect(common('A value was refused')).toBe('A value was refused');
    expect(createRedactor([{ givenName: 'Ann' }])('Anna Anné Ann')).toBe('Anna Anné [given name]');
    expect(redact('Maryanne Janes Brienne OBriens Zoey')).toBe('Maryanne Janes Brienne OBriens Zoey');
  });

  it('finds the date of birth in every form it is written', () => {
    const forms = [
      '2005-01-31',
      '2005-01-31T00:00:00',
      '2005-01-31T00:00:00Z',
      '2005-01-31T00:00:00+01:00',
      '2005-01-31T00:00:00.000+0100',
      '2005/01/31',
      '31/01/2005',
      '31/1/2005',
      '31-01-2005',
      '31.01.2005',
      '31 01 2005',
      '31/01/05',
      '20050131',
      '31012005',
      '31 January 2005',
      '31 Jan 2005',
      '31st January 2005',
      '31-Jan-2005',
      '31 JAN 05',
      '31 of January 2005',
      'January 31, 2005',
      'Jan. 31st 2005',
    ];
    for (const f of forms) expect(redact(`born ${f}.`), f).toBe('born [date of birth].');
    // Other dates stay: a different day, month or year, and the US order of the same numbers.
    for (const other of ['2005-01-30', '30/01/2005', '31/01/2006', '01/31/2005', '1 January 2005'])
      expect(redact(`on ${other}`), other).toBe(`on ${other}`);
    // A UK day-first date of birth in the payload is read as such.
    expect(createRedactor([{ dateOfBirth: '31/01/2005' }])('DOB 2005-01-31')).toBe('DOB [date of birth]');
  });

  it('finds the postcode with or without its space, in any case', () => {
    for (const f of ['SW1A 1AA', 'SW1A1AA', 'sw1a 1aa', 'Sw1a  1Aa'])
      expect(redact(`postcode ${f} unknown`), f).toBe('postcode [postcode] unknown');
    expect(redact('SW1A 1AB and XSW1A1AA')).toBe('SW1A 1AB and XSW1A1AA');
  });

  it('finds e-mail, address, place of birth, school at 16 and ULN; keeps codes and other words', () => {
    expect(
      redact(
        'WSEC0001: MJ.OBrien@Example.com at 12 Acacia Avenue, NEWCASTLE UPON TYNE; born in Truro; school St Marys High School; ULN 1234567890 (12345678901 is another)',
      ),
    ).toBe(
      'WSEC0001: [email] at [address], [address]; born in [place of birth]; school [school at 16]; ULN [ULN] (12345678901 is another)',
    );
    expect(redact('cvc-pattern-valid: pattern for type MIAPNameNonEmpty, gender 2')).toBe(
      'cvc-pattern-valid: pattern for type MIAPNameNonEmpty, gender 2',
    );
  });

  it('redacts every payload given (text about a whole batch), and nothing for empty payloads', () => {
    const batch = createRedactor([
      { givenName: 'Alice', familyName: 'Smith', dateOfBirth: '2004-02-29' },
      { givenName: 'Bob', familyName: 'Jones', learnerPostcode: 'ZE1 0AA' },
    ]);
    expect(batch('Rows 1 (ALICE SMITH, 29/02/2004) and 2 (Bob Jones, ze10aa) failed')).toBe(
      'Rows 1 ([given name] [family name], [date of birth]) and 2 ([given name] [family name], [postcode]) failed',
    );
    expect(createRedactor([null, 'x', {}])('Alice Smith')).toBe('Alice Smith');
  });

  it('handles a whole batch of 10,000 payloads at once in well under a few seconds', () => {
    const payloads = Array.from({ length: 10_000 }, (_, i) => ({
      givenName: `Given${i}`,
      familyName: `Family-Name${i}`,
      dateOfBirth: '2001-02-03',
      learnerPostcode: 'AB1 2CD',
    }));
    const started = performance.now();
    expect(createRedactor(payloads)('Given9999 Family-Name9999, 03/02/2001, AB12CD')).toBe(
      '[given name] [family name], [date of birth], [postcode]',
    );
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('redactLrsError', () => {
  it("redacts the LRS's Description and FurtherDetails and keeps our message, code and class", () => {
    const err = new LrsError('LRS fault WSEC0001: Invalid request', {
      code: 'WSEC0001',
      codeSource: 'lrs',
      class: 'data_error',
      retryable: false,
      operation: 'learnerByDemographics',
      description: 'Learner Mary-Jane O’Brien is invalid',
      furtherDetails: 'DateOfBirth 31/01/2005 does not match postcode SW1A1AA',
    });
    const r = redactLrsError(err, redact);
    expect(r).toBeInstanceOf(LrsError);
    expect(r).toMatchObject({
      message: 'LRS fault WSEC0001: Invalid request',
      code: 'WSEC0001',
      codeSource: 'lrs',
      class: 'data_error',
      operation: 'learnerByDemographics',
      description: 'Learner [given name] [family name] is invalid',
      furtherDetails: 'DateOfBirth [date of birth] does not match postcode [postcode]',
    });
  });
});
