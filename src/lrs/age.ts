/**
 * The ages a ULN is for (docs/lrs.md §6.3): the LRS issues ULNs to learners aged 13 to 110 and refuses a
 * registration outside them (RC013 on the portal, RC011 in web-service batches). One definition for lrs-relay's
 * own check before sending and for the simulator's batches.
 */
import type { FieldProblem } from './errors.ts';

/** Whole years of age, inclusive. */
export const PERMITTED_AGE = { min: 13, max: 110 } as const;

/**
 * Made once: constructing a DateTimeFormat loads its locale and time-zone data (about 0.1 ms), which a
 * night of a million registrations paid twice per learner, in the relay and in the simulator.
 */
const UK_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The last UTC hour ukDate was asked about, and its answer. */
let lastHour = Number.NaN;
let lastDate: readonly [number, number, number] = [0, 0, 0];

/**
 * The calendar date of `at` in the UK (where the LRS and the colleges are), as [year, month, day]. The UK
 * is on GMT or BST, whole hours from UTC, and its clocks change at 01:00 UTC, so the date is the same
 * throughout a UTC hour: the last hour's answer is kept (a batch's requests were mostly made in one).
 */
function ukDate(at: Date): readonly [number, number, number] {
  const hour = Math.floor(at.getTime() / 3_600_000);
  if (hour === lastHour) return lastDate;
  const parts = UK_DATE.formatToParts(at);
  const part = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  lastDate = [part('year'), part('month'), part('day')];
  lastHour = hour;
  return lastDate;
}

/**
 * Whole years from `dateOfBirth` (`yyyy-MM-dd`, a time part ignored) to the UK calendar date of `on`;
 * undefined when the date of birth does not start with a date (field validation reports that).
 */
export function ageOn(dateOfBirth: string, on: Date): number | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(dateOfBirth);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [ty, tm, td] = ukDate(on);
  const birthdayPassed = tm > mo || (tm === mo && td >= d);
  return ty - y - (birthdayPassed ? 0 : 1);
}

/**
 * The problem with registering a learner born on `dateOfBirth` by a request made at `requestedAt`, or
 * undefined when their age that day is within PERMITTED_AGE (or the date does not parse: field validation
 * reports that). The message names the rule and the request's date, never the learner's date of birth or age.
 */
export function ageProblem(dateOfBirth: string | undefined, requestedAt: Date): FieldProblem | undefined {
  if (dateOfBirth === undefined) return undefined;
  const age = ageOn(dateOfBirth, requestedAt);
  if (age === undefined || (age >= PERMITTED_AGE.min && age <= PERMITTED_AGE.max)) return undefined;
  const [y, m, d] = ukDate(requestedAt);
  const day = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return {
    field: 'dateOfBirth',
    message: `gives an age outside ${PERMITTED_AGE.min}–${PERMITTED_AGE.max} on ${day}, the date of the request: the LRS issues ULNs only to learners of those ages`,
  };
}
