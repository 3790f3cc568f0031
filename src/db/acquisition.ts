/**
 * The nightly ULN acquisition's statements: the run row (lrs.acquisition_run), reading the MIS's view
 * through a server-side cursor, and inserting the batch register requests chunk by chunk.
 */
import type pg from 'pg';
import { OPEN_STATUSES, TERMINAL_STATUSES } from '../../db/schema.ts';
import { sqlList } from './sql-list.ts';
import { ON_DEDUPE_KEY_CONFLICT } from './requests.ts';
import { planAsOneRow } from './plans.ts';
import { inTransaction, type Queryable } from './transaction.ts';

export interface OrganisationCodes {
  id: number;
  ukprn: string | null;
  organisationRef: string | null;
  isDisabled: boolean;
}

/** Every organisation with the codes a view row may name it by (UKPRN or organisation reference). */
export async function listOrganisationCodes(db: Queryable): Promise<OrganisationCodes[]> {
  const r = await db.query(
    `select id, ukprn, organisation_ref as "organisationRef", is_disabled as "isDisabled" from lrs.organisation`,
  );
  return r.rows as OrganisationCodes[];
}

/** Records a run; undefined when a run with this key was already started (the key makes runs happen once). */
export async function insertAcquisitionRun(
  db: Queryable,
  o: { organisationId: number | null; runKey: string },
): Promise<number | undefined> {
  const r = await db.query(
    `insert into lrs.acquisition_run (organisation_id, run_key) values ($1, $2) on conflict (run_key) do nothing returning id`,
    [o.organisationId, o.runKey],
  );
  const row = r.rows[0] as { id: number } | undefined;
  return row === undefined ? undefined : Number(row.id);
}

/** Moves a run to `created` (all its requests inserted) or `failed` (reading the view or inserting failed). */
export async function setAcquisitionRunStatus(
  db: Queryable,
  runId: number,
  status: 'created' | 'failed',
): Promise<void> {
  await db.query(
    `update lrs.acquisition_run set status = $2, finished_at = case when $2 = 'failed' then now() else finished_at end
      where id = $1`,
    [runId, status],
  );
}

/** The run keys of runs whose requests are created but not all finished. */
export async function listOpenAcquisitionRuns(db: Queryable): Promise<string[]> {
  const r = await db.query(`select run_key as "runKey" from lrs.acquisition_run where status = 'created'`);
  return (r.rows as { runKey: string }[]).map((x) => x.runKey);
}

const quoteIdent = (name: string) =>
  name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');

/**
 * Reads `view` (schema.view) chunk by chunk through a server-side cursor in one read-only transaction,
 * handing each chunk to `onRows` before fetching the next, so memory holds one chunk whatever the view's
 * size. `organisationCodes`, when given, keeps only rows whose `organisation` column is one of them.
 */
export async function readViewInChunks(
  pool: pg.Pool,
  o: { view: string; chunkSize: number; organisationCodes?: readonly string[] | undefined },
  onRows: (rows: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  await inTransaction(pool, async (reader) => {
    await reader.query('set transaction read only');
    const only = o.organisationCodes !== undefined;
    await reader.query(
      `declare acquire_cursor no scroll cursor for select * from ${quoteIdent(o.view)}${only ? ' where organisation::text = any($1::text[])' : ''}`,
      only ? [o.organisationCodes] : [],
    );
    for (;;) {
      const rows = (await reader.query(`fetch ${Math.trunc(o.chunkSize)} from acquire_cursor`))
        .rows as Record<string, unknown>[];
      if (rows.length === 0) return;
      await onRows(rows);
      if (rows.length < o.chunkSize) return;
    }
  });
}

/**
 * One chunk's insert. The open-register check looks each learner up through request_learner_idx
 * (organisation, MIS id: a handful of rows per learner, whatever the table holds), never through the
 * open-request index. Written `status in (open statuses)`, the check matched that partial index's
 * predicate, and the planner, going by statistics taken before tonight's backlog existed (autoanalyze
 * waits for a tenth of the table to change), hashed every open register request of the organisation
 * for each chunk: the cost of a chunk grew with the night's backlog, and a night with it
 * (docs/batches.md "What grows with the night"). Written `not in (terminal statuses)` (the same rows:
 * the status check allows nothing else), it cannot use that index; planAsOneRow on the chunk's rows
 * makes the anti join a nested loop of index look-ups at any table size
 * (test/integration/batch-plans.test.ts).
 */
export const INSERT_ACQUIRED_SQL = `insert into lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload, dedupe_key)
   select t.org, o.default_user_name, 'register', 'batch', 10, t.mis, t.payload, 'acquire:' || $2 || ':' || t.mis
     from jsonb_to_recordset($1::jsonb) as t(org int, mis text, payload jsonb)
     join lrs.organisation o on o.id = t.org
    where ${planAsOneRow('t.org')}
      and not exists (select 1 from lrs.request r
                       where r.organisation_id = t.org and r.mis_learner_id = t.mis and r.kind = 'register'
                         and r.status not in ${sqlList(TERMINAL_STATUSES)})
   ${ON_DEDUPE_KEY_CONFLICT} do nothing`;

/**
 * Inserts one chunk of batch-mode register requests (priority 10, UserName = the organisation's default,
 * dedupe key `acquire:<run key>:<MIS id>`) for learners without an open register request, and adds the
 * chunk to the run's counts. Chunks of concurrent runs are serialised by an advisory lock, so NOT EXISTS
 * sees the other run's requests. Returns how many requests were created.
 */
export async function insertAcquiredRequests(
  pool: pg.Pool,
  o: {
    runId: number;
    runKey: string;
    learnersRead: number;
    rows: readonly { organisationId: number; misLearnerId: string; payload: Record<string, string> }[];
  },
): Promise<number> {
  return inTransaction(pool, async (c) => {
    await c.query(`select pg_advisory_xact_lock(hashtext('lrs.acquire-ulns'))`);
    const r = await c.query(INSERT_ACQUIRED_SQL, [
      JSON.stringify(o.rows.map((x) => ({ org: x.organisationId, mis: x.misLearnerId, payload: x.payload }))),
      o.runKey,
    ]);
    const created = r.rowCount ?? 0;
    await c.query(
      `update lrs.acquisition_run set learners_found = learners_found + $2, requests_created = requests_created + $3 where id = $1`,
      [o.runId, o.learnersRead, created],
    );
    return created;
  });
}

const runPrefix = (runKey: string) => `acquire:${runKey.replace(/[\\%_]/g, '\\$&')}:%`;

/**
 * Marks a run completed once none of its requests is open (the batch sweep, every
 * BATCH_SWEEP_INTERVAL_MS). Asks only whether one is left: the first open register request of the run
 * in the open-request index ends the look, so a sweep costs the same early in a night of a million
 * learners as at its end (a count of the run's open requests grew with the backlog and, called every
 * sweep, with the square of the night). The requests are found by their dedupe key prefix
 * `acquire:<run key>:`.
 */
export async function completeRunIfDone(db: Queryable, runKey: string): Promise<boolean> {
  const r = await db.query(
    `update lrs.acquisition_run set requests_completed = requests_created, status = 'completed', finished_at = now()
      where run_key = $1 and status = 'created'
        and not exists (select 1 from lrs.request
                         where status in ${sqlList(OPEN_STATUSES)} and kind = 'register' and dedupe_key like $2)`,
    [runKey, runPrefix(runKey)],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * A run's progress for `acquire-ulns --wait`: its requests still open counted (through the open-request
 * index, so the cost follows the backlog, not the months of finished requests beside it), the rest done.
 */
export async function countRunProgress(
  db: Queryable,
  runKey: string,
): Promise<{ total: number; done: number }> {
  const r = await db.query(
    `select a.requests_created as total,
            greatest(a.requests_created - (select count(*)::int from lrs.request
                                             where status in ${sqlList(OPEN_STATUSES)} and kind = 'register'
                                               and dedupe_key like $2), 0) as done
       from lrs.acquisition_run a where a.run_key = $1`,
    [runKey, runPrefix(runKey)],
  );
  const row = r.rows[0] as { total: number; done: number } | undefined;
  return { total: row?.total ?? 0, done: row?.done ?? 0 };
}

/** A run's requests by status (once, at the end of `acquire-ulns --wait`: it reads every request of the run). */
export async function countRunRequestsByStatus(
  db: Queryable,
  runKey: string,
): Promise<Record<string, number>> {
  const r = await db.query(
    `select status, count(*)::int as n from lrs.request where kind = 'register' and dedupe_key like $1 group by status`,
    [runPrefix(runKey)],
  );
  return Object.fromEntries((r.rows as { status: string; n: number }[]).map((x) => [x.status, x.n]));
}
