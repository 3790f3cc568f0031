/**
 * Side-by-side comparison of the learner a request was about and the LRS's possible-match candidates.
 * Values are compared loosely (case, spaces, punctuation in postcodes) because that is how a person
 * reads them; anything that still differs is highlighted.
 */

/** Fields shown, in the order a person compares them. */
export const MATCH_FIELDS = [
  ['givenName', 'Given name'],
  ['middleOtherName', 'Middle names'],
  ['familyName', 'Family name'],
  ['previousFamilyName', 'Previous family name'],
  ['preferredGivenName', 'Preferred given name'],
  ['dateOfBirth', 'Date of birth'],
  ['gender', 'Gender'],
  ['lastKnownPostCode', 'Postcode'],
  ['lastKnownAddressLine1', 'Address line 1'],
  ['lastKnownAddressTown', 'Town'],
  ['schoolAtAge16', 'School at 16'],
  ['placeOfBirth', 'Place of birth'],
  ['emailAddress', 'E-mail'],
  ['uln', 'ULN'],
  ['learnerStatus', 'LRS status'],
] as const;

export type MatchField = (typeof MATCH_FIELDS)[number][0];

export interface MatchCell {
  value: string;
  /** True when the candidate's value differs from the learner's (both present). */
  isDifferent: boolean;
}

export interface MatchRow {
  field: MatchField;
  label: string;
  learner: string;
  candidates: MatchCell[];
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '';
}

/** Normalises a value for comparison: case, inner spaces and (for dates) a time part do not matter. */
export function normaliseForMatch(field: string, value: string): string {
  let v = value
    .trim()
    .toUpperCase()
    .replace(/\s+/g, field === 'lastKnownPostCode' ? '' : ' ');
  if (field === 'dateOfBirth') v = v.slice(0, 10);
  return v;
}

/** Builds the comparison table; rows where nobody has a value are left out. */
export function compareCandidates(
  learner: Record<string, unknown>,
  candidates: readonly Record<string, unknown>[],
): MatchRow[] {
  const rows: MatchRow[] = [];
  for (const [field, label] of MATCH_FIELDS) {
    const mine = text(learner[field]);
    const theirs = candidates.map((c) => text(c[field]));
    if (mine === '' && theirs.every((t) => t === '')) continue;
    rows.push({
      field,
      label,
      learner: mine,
      candidates: theirs.map((value) => ({
        value,
        isDifferent:
          mine !== '' && value !== '' && normaliseForMatch(field, mine) !== normaliseForMatch(field, value),
      })),
    });
  }
  return rows;
}

/** Candidates stored in outcome.candidates, as objects with a ULN; anything else is dropped. */
export function readCandidates(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (c): c is Record<string, unknown> =>
      typeof c === 'object' && c !== null && typeof (c as { uln?: unknown }).uln === 'string',
  );
}
