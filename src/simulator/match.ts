/**
 * Matching rules of the simulated learner register (docs/lrs.md §8), as pure functions.
 * Names and postcodes are compared after normalising case and spaces, as the LRS keeps normalised copies.
 */
import type { SimLearner } from './learner-record.ts';

/** Upper case, all white space removed. */
export function normaliseName(s: string | undefined): string {
  return (s ?? '').toUpperCase().replace(/\s+/g, '');
}

/** Upper case, all white space removed: `cv4 9ee`, `CV49EE` and `CV4 9EE ` are one postcode. */
export function normalisePostcode(s: string | undefined): string {
  return (s ?? '').toUpperCase().replace(/\s+/g, '');
}

export interface IdentityFields {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: string;
  lastKnownPostCode: string;
}

/** The five mandatory demographics, normalised: equal keys are the same person to the register. */
export function identityKey(d: IdentityFields): string {
  return `${normaliseName(d.familyName)}|${normaliseName(d.givenName)}|${d.dateOfBirth}|${d.gender}|${normalisePostcode(d.lastKnownPostCode)}`;
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

/** Two normalised names a person could have typed for one another: at most two edits apart, both ≥ 3 letters. */
export function isSimilarName(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < 3 || b.length < 3) return false;
  return editDistance(a, b, 2) <= 2;
}

/**
 * Whether a learner with the same date of birth is a *possible* match for the searched names:
 * same names (postcode or gender differ), a name spelt slightly differently, the family name
 * equal to the learner's previous family name, or given and family name swapped.
 */
export function isPossibleMatch(
  search: { givenName: string; familyName: string },
  learner: SimLearner,
): boolean {
  const g = normaliseName(search.givenName);
  const f = normaliseName(search.familyName);
  const lg = normaliseName(learner.givenName);
  const lf = normaliseName(learner.familyName);
  if (g === lg && f === lf) return true;
  if (g === lf && f === lg) return true;
  if (
    g === lg &&
    (isSimilarName(f, lf) ||
      (learner.previousFamilyName !== undefined && f === normaliseName(learner.previousFamilyName)))
  )
    return true;
  return f === lf && isSimilarName(g, lg);
}

/** Verification outcome of names/DOB/gender against a learner (docs/lrs.md §5.2). */
export interface VerifyComparison {
  /** Names accepted: equal, swapped, or family name = previous family name. */
  namesAccepted: boolean;
  /** Everything supplied equal. */
  exact: boolean;
  flags: string[];
}

/**
 * Compares supplied details with a learner and lists the VRF flags of the checks that failed.
 * VRF1/VRF5 are the direct given/family checks; the alternative checks (VRF2–4, VRF6) are only
 * reported when a direct check failed, since they exist to explain why a near miss was still accepted.
 */
export function compareForVerify(
  s: { givenName: string; familyName: string; dateOfBirth?: string | undefined; gender?: string | undefined },
  l: SimLearner,
): VerifyComparison {
  const g = normaliseName(s.givenName);
  const f = normaliseName(s.familyName);
  const lg = normaliseName(l.givenName);
  const lf = normaliseName(l.familyName);
  const lp = l.previousFamilyName ? normaliseName(l.previousFamilyName) : undefined;
  const flags: string[] = [];
  const givenOk = g === lg;
  const familyOk = f === lf;
  if (!givenOk) flags.push('VRF1');
  if (!givenOk || !familyOk) {
    if (g !== lf) flags.push('VRF2');
    if (lp !== undefined && g !== lp) flags.push('VRF3');
    if (f !== lg) flags.push('VRF4');
  }
  if (!familyOk) {
    flags.push('VRF5');
    if (lp !== undefined && f !== lp) flags.push('VRF6');
  }
  const dobOk = !s.dateOfBirth || s.dateOfBirth === l.dateOfBirth;
  const genderOk = !s.gender || s.gender === l.gender;
  if (!dobOk) flags.push('VRF7');
  if (!genderOk) flags.push('VRF8');
  const swapped = g === lf && f === lg;
  const previous = givenOk && lp !== undefined && f === lp;
  const namesAccepted = (givenOk && familyOk) || swapped || previous;
  return { namesAccepted, exact: givenOk && familyOk && dobOk && genderOk, flags };
}
