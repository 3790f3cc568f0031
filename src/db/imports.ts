/**
 * The SQL of CSV imports (src/import/): the organisation check before a file is read, and the submit of
 * a chunk of validated rows through lrs.submit_request, one statement per chunk. What a row must hold and
 * how a refused chunk is split to find the refused row live in src/import/csv.ts.
 */
import type { RequestKind, RequestMode } from '../../db/schema.ts';
import type { Queryable } from './transaction.ts';

/** Whether the organisation (UKPRN or organisation reference) is disabled; undefined when there is none. */
export async function organisationDisabled(
  pool: Queryable,
  organisation: string,
): Promise<boolean | undefined> {
  const r = await pool.query<{ is_disabled: boolean }>(
    'select is_disabled from lrs.organisation where ukprn = $1 or organisation_ref = $1',
    [organisation],
  );
  return r.rows[0]?.is_disabled;
}

/** One validated row to submit. */
export interface ImportRow {
  misLearnerId: string;
  payload: Record<string, string>;
  dedupeKey: string;
}

/** What submitImportRows says of one row, in the order given. */
export interface SubmittedRow {
  /** The request id: a new request's, or the one its dedupe key already had. */
  id: number;
  /** True when a request with the row's dedupe key existed before this statement. */
  existed: boolean;
}

const SUBMIT_SQL = `
  with input as (
    select * from unnest($6::text[], $7::jsonb[], $8::text[], $9::int[]) as t(mis_learner_id, payload, dedupe_key, ord)
  ), existing as (
    select r.dedupe_key, r.id from lrs.request r
      join lrs.organisation o on o.id = r.organisation_id
     where (o.ukprn = $1 or o.organisation_ref = $1) and r.dedupe_key = any($8::text[])
  )
  select i.ord, lrs.submit_request($1, $2, i.mis_learner_id, i.payload, $3, $4, i.dedupe_key, $5) as id,
         e.id is not null as existed
    from input i left join existing e on e.dedupe_key = i.dedupe_key
   order by i.ord`;

/**
 * Submits rows in one statement (all or none: one row lrs.submit_request refuses fails the statement, with
 * its message). The MIS user goes to the LRS as UserName.
 */
export async function submitImportRows(
  pool: Queryable,
  o: { organisation: string; kind: RequestKind; user: string; mode: RequestMode; priority: number },
  rows: readonly ImportRow[],
): Promise<SubmittedRow[]> {
  const r = await pool.query<{ ord: number; id: number; existed: boolean }>(SUBMIT_SQL, [
    o.organisation,
    o.kind,
    o.user,
    o.mode,
    o.priority,
    rows.map((row) => row.misLearnerId),
    rows.map((row) => JSON.stringify(row.payload)),
    rows.map((row) => row.dedupeKey),
    rows.map((_row, i) => i),
  ]);
  return r.rows.map((row) => ({ id: row.id, existed: row.existed }));
}
