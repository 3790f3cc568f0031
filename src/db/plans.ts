/**
 * Keeping the plans of the hot statements independent of the table size they were first planned at.
 */

/**
 * A condition true of every request id (ids start at 1; so do organisation ids), put on the rows a
 * statement joins back to lrs.request: a batch's parameter (`unnest($1)`, `jsonb_to_recordset($1)`) or the
 * rows a claim picked.
 * The planner cannot see how many there are and guesses 10 to 100; for that many, a hash join over the
 * whole of lrs.request looks cheaper than looking each one up while the table is small (a 500-row table
 * got such plans, a 10,000-row one did not). A pooled connection keeps the generic plan it made then, and
 * goes on scanning the whole table on every call as it grows: the pipeline benchmark, whose table starts
 * empty like a new college's, did exactly that. The condition is on an expression (`+ 0`), which has no
 * statistics, so the planner takes its default for a range (half a percent) and expects one row; the
 * plan then goes through the primary key at any size (test/integration/request-store-plans.test.ts).
 */
export function planAsOneRow(column: string): string {
  return `${column} + 0 between 1 and 9223372036854775807`;
}
