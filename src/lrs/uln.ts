/**
 * The Unique Learner Number (docs/lrs.md §6.1): 10 digits, first digit 1–9, and a mod-11 check digit.
 * The LRS schema only checks the pattern; the check digit is what catches typing mistakes before a call.
 */

/** Weights applied to digits 1–9 (docs/lrs.md §6.1). */
const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/** 10 digits, first one 1–9 — the MIAP XSD pattern `[1-9][0-9]{9}`. */
export const ULN_PATTERN = /^[1-9][0-9]{9}$/;

/**
 * The check digit for the first nine digits of a ULN, or undefined when no digit can make
 * the number valid (weighted sum ≡ 0 mod 11, about 9% of prefixes) or the prefix is not nine digits starting 1–9.
 */
export function computeUlnCheckDigit(prefix9: string): number | undefined {
  if (!/^[1-9][0-9]{8}$/.test(prefix9)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (prefix9.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  const r = sum % 11;
  if (r === 0) return undefined;
  // r = 10 gives check digit 0.
  return 10 - r;
}

/** True when `s` has the ULN pattern and a correct check digit. `9999999999` (ILR placeholder) is false. */
export function isValidUln(s: string): boolean {
  if (!ULN_PATTERN.test(s)) return false;
  return computeUlnCheckDigit(s.slice(0, 9)) === Number(s[9]);
}

/** Plain-words reason a string is not a valid ULN, or undefined when it is. Never echoes the value. */
export function describeUlnProblem(s: string): string | undefined {
  if (!/^[0-9]{10}$/.test(s)) return 'must be exactly 10 digits';
  if (s.startsWith('0')) return 'must not start with 0';
  const expected = computeUlnCheckDigit(s.slice(0, 9));
  if (expected === undefined)
    return 'is not a possible ULN (its first nine digits have no valid check digit)';
  if (expected !== Number(s[9])) return 'has a wrong check digit (last digit)';
  return undefined;
}

/**
 * Makes a valid ULN from a numeric prefix (1–9 digits, first 1–9) and a sequence number, trying
 * successive numbers until one has a check digit. Used by the simulator to issue ULNs.
 * Example: `generateUln('9', 1)` → the first valid ULN starting `9` at or after `900000001x`.
 */
export function generateUln(prefix: string, sequence = 0): string {
  if (!/^[1-9][0-9]{0,8}$/.test(prefix))
    throw new RangeError('ULN prefix must be 1–9 digits, not starting with 0');
  const width = 9 - prefix.length;
  const limit = 10 ** width;
  for (let n = sequence; n < limit; n++) {
    const body = prefix + String(n).padStart(width, '0');
    const check = computeUlnCheckDigit(body);
    if (check !== undefined) return body + String(check);
  }
  throw new RangeError('no valid ULN left for this prefix and sequence');
}
