/**
 * Dates for the services typed `xs:dateTime` (the External service's achievement dates, docs/lrs.md
 * §3.2 and §4.13). A MIS hands them over as a Postgres `date` (`2024-07-31` in JSON), a `timestamp`
 * (`2024-07-31T09:15:00`, or `2024-07-31 09:15:00` as text), a `timestamptz` (`…+01:00`) or text in
 * one of those forms. Each is a calendar date, so the LRS gets that date at midnight with no zone:
 * `2024-07-31T00:00:00`, the form the published schema and the other clients use. The time and zone
 * are dropped, never converted: a birth date or award date written at midnight BST is 23:00 UTC the
 * day before, and a zone on the wire invites the service to shift it the same way.
 *
 * Usage: `asXsDateTime('2024-07-31')` → `'2024-07-31T00:00:00'`; text in no recognised form is returned
 * unchanged, for the `isoDateTime` rule (rules.ts) to refuse with a plain-words problem.
 */

/** `yyyy-MM-dd`, then optionally a time (`T` or a space) with seconds, fraction and zone. */
const MIS_DATE =
  /^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$/;

/** The calendar date of a MIS date, timestamp or date text as xs:dateTime at midnight, or `value` unchanged. */
export function asXsDateTime(value: string): string {
  const m = MIS_DATE.exec(value.trim());
  return m ? `${m[1]}T00:00:00` : value;
}
