/**
 * The statements behind support staff's actions (src/support/actions.ts): retry, cancel, and resolving
 * a possible match. Each takes the actor's organisations (null = all, for admins and the CLI) so the
 * SQL itself limits what changes, and writes one lrs.audit row per request it changes. Run inside
 * inTransaction by the caller, which commits a chunk atomically.
 */
import type { Queryable } from './transaction.ts';

/** Who acts, as the SQL needs it: the name audited and the organisations they may change (null = all). */
export interface ActingAs {
  name: string;
  organisationIds: readonly number[] | null;
}

/** The organisation of each of `ids` that exists (to tell "not found" from "wrong status"). */
export async function selectRequestOrganisations(
  db: Queryable,
  ids: readonly number[],
): Promise<{ id: number; organisationId: number }[]> {
  const r = await db.query(
    'select id, organisation_id as "organisationId" from lrs.request where id = any($1::bigint[])',
    [ids],
  );
  return r.rows as { id: number; organisationId: number }[];
}

/**
 * Sends requests in one of `statuses` back to pending (outcome deleted, attempts and codes cleared),
 * audited as relay.retry with `code`, and notifies lrs_request per id (delivered at commit). Returns
 * the ids changed.
 */
export async function retryRequestsWhere(
  db: Queryable,
  ids: readonly number[],
  o: { statuses: readonly string[]; actor: ActingAs; code: string },
): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `with target as (
       select id from lrs.request
        where id = any($1::bigint[]) and status = any($2::text[])
          and ($3::int[] is null or organisation_id = any($3::int[]))
          and purged_at is null -- its personal data is gone: nothing left to send
        for update
     ), removed as (
       delete from lrs.outcome where request_id in (select id from target)
     ), changed as (
       update lrs.request r
          set status = 'pending', attempts = 0, last_code = null, last_error = null, not_before = null, updated_at = now()
         from target t where r.id = t.id
       returning r.id, r.organisation_id, r.batch_id
     ), audited as (
       insert into lrs.audit (organisation_id, request_id, batch_id, user_name, operation, code, code_source, duration_ms)
       select organisation_id, id, batch_id, $4, 'relay.retry', $5, 'relay', 0 from changed
     )
     select id from changed order by id`,
    [ids, o.statuses, o.actor.organisationIds, o.actor.name, o.code],
  );
  const done = r.rows.map((row) => Number(row.id));
  // Delivered at commit, so the relay never sees a pending row that is not there yet.
  if (done.length > 0)
    await db.query(`select pg_notify('lrs_request', id::text) from unnest($1::bigint[]) as id`, [done]);
  return done;
}

/**
 * Cancels requests in one of `statuses`, audited as relay.cancel with `code`. Returns the ids changed
 * with the status each had (what an undo puts back).
 */
export async function cancelRequestsWhere(
  db: Queryable,
  ids: readonly number[],
  o: { statuses: readonly string[]; actor: ActingAs; code: string },
): Promise<{ id: number; previousStatus: string }[]> {
  const r = await db.query<{ id: number; previous_status: string }>(
    `with target as (
       select id, status from lrs.request
        where id = any($1::bigint[]) and status = any($2::text[])
          and ($3::int[] is null or organisation_id = any($3::int[]))
        for update
     ), changed as (
       update lrs.request r
          set status = 'cancelled', completed_at = now(), updated_at = now()
         from target t where r.id = t.id
       returning r.id, r.organisation_id, r.batch_id, t.status as previous_status
     ), audited as (
       insert into lrs.audit (organisation_id, request_id, batch_id, user_name, operation, code, code_source, duration_ms)
       select organisation_id, id, batch_id, $4, 'relay.cancel', $5, 'relay', 0 from changed
     )
     select id, previous_status from changed order by id`,
    [ids, o.statuses, o.actor.organisationIds, o.actor.name, o.code],
  );
  return r.rows.map((row) => ({ id: Number(row.id), previousStatus: row.previous_status }));
}

export interface LockedForMatch {
  organisationId: number;
  status: string;
  batchId: number | null;
  candidates: unknown;
}

/** Locks a request for a possible-match decision and reads its outcome's candidates. */
export async function lockRequestForMatch(
  db: Queryable,
  requestId: number,
): Promise<LockedForMatch | undefined> {
  const r = await db.query(
    `select r.organisation_id as "organisationId", r.status, r.batch_id as "batchId", o.candidates
       from lrs.request r left join lrs.outcome o on o.request_id = r.id
      where r.id = $1 for update of r`,
    [requestId],
  );
  return r.rows[0] as LockedForMatch | undefined;
}

/** One audit row for a person's action on a request (code_source relay, no LRS call). */
export async function insertActionAudit(
  db: Queryable,
  a: {
    organisationId: number;
    requestId: number;
    batchId: number | null;
    userName: string;
    operation: string;
    code: string;
  },
): Promise<void> {
  await db.query(
    `insert into lrs.audit (organisation_id, request_id, batch_id, user_name, operation, code, code_source, duration_ms)
     values ($1, $2, $3, $4, $5, $6, 'relay', 0)`,
    [a.organisationId, a.requestId, a.batchId, a.userName, a.operation, a.code],
  );
}

export async function setStaffNote(db: Queryable, requestId: number, note: string): Promise<void> {
  await db.query('update lrs.request set staff_note = $2, updated_at = now() where id = $1', [
    requestId,
    note,
  ]);
}

/**
 * Settles a request as succeeded with the candidate a person chose: the outcome is replaced (code
 * `code`, the chosen ULN and learner, every candidate kept), the request succeeds with the note.
 */
export async function recordChosenCandidate(
  db: Queryable,
  m: {
    requestId: number;
    organisationId: number;
    code: string;
    uln: string;
    candidates: unknown[];
    chosen: unknown;
    description: string;
    note: string;
  },
): Promise<void> {
  await db.query(
    `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, candidates, learner, description)
     values ($1, $2, $3, 'relay', 'success', $4, $5::jsonb, $6::jsonb, $7)
     on conflict (request_id) do update set code = excluded.code, code_source = excluded.code_source, class = excluded.class,
       uln = excluded.uln, master_uln = null, linked_ulns = null, learner = excluded.learner,
       failure_flags = null, description = excluded.description, created_at = now()`,
    [
      m.requestId,
      m.organisationId,
      m.code,
      m.uln,
      JSON.stringify(m.candidates),
      JSON.stringify(m.chosen),
      m.description,
    ],
  );
  await db.query(
    `update lrs.request set status = 'succeeded', last_code = $2, last_error = null, staff_note = nullif($3, ''),
            completed_at = now(), updated_at = now() where id = $1`,
    [m.requestId, m.code, m.note],
  );
}

/** Records a bulk action that may be undone; removes records older than a day. Returns its id. */
export async function insertBulkAction(
  db: Queryable,
  a: {
    userName: string;
    operation: 'cancel';
    requestIds: readonly number[];
    previousStatuses: readonly string[];
  },
): Promise<number> {
  await db.query(`delete from lrs.bulk_action where created_at < now() - interval '1 day'`);
  const r = await db.query<{ id: number }>(
    `insert into lrs.bulk_action (user_name, operation, request_ids, previous_statuses)
     values ($1, $2, $3::bigint[], $4::text[]) returning id`,
    [a.userName, a.operation, [...a.requestIds], [...a.previousStatuses]],
  );
  return Number(r.rows[0]!.id);
}

/**
 * Takes a bulk action for undoing: locks it and marks it undone, when it is `userName`'s, of `operation`,
 * not undone yet and younger than `windowS` seconds. Returns its requests with their earlier statuses.
 */
export async function claimBulkActionUndo(
  db: Queryable,
  o: { id: number; userName: string; operation: 'cancel'; windowS: number },
): Promise<{ requestId: number; previousStatus: string }[] | null> {
  const r = await db.query<{ request_ids: string[]; previous_statuses: string[] }>(
    `update lrs.bulk_action set undone_at = now()
      where id = $1 and user_name = $2 and operation = $3 and undone_at is null
        and created_at > now() - make_interval(secs => $4)
      returning request_ids, previous_statuses`,
    [o.id, o.userName, o.operation, o.windowS],
  );
  const row = r.rows[0];
  if (!row) return null;
  return row.request_ids.map((id, i) => ({
    requestId: Number(id),
    previousStatus: row.previous_statuses[i]!,
  }));
}

/** Whether a bulk action can still be undone by `userName` (for offering the button). */
export async function isBulkActionUndoable(
  db: Queryable,
  o: { id: number; userName: string; windowS: number },
): Promise<boolean> {
  const r = await db.query(
    `select 1 from lrs.bulk_action where id = $1 and user_name = $2 and undone_at is null
        and created_at > now() - make_interval(secs => $3)`,
    [o.id, o.userName, o.windowS],
  );
  return r.rowCount === 1;
}

/**
 * Puts cancelled requests back into a finished status they had (needs_action): outcome and code as they
 * were, audited as relay.undo-cancel with `code`. Returns the ids changed.
 */
export async function restoreCancelledWhere(
  db: Queryable,
  ids: readonly number[],
  o: { status: string; actor: ActingAs; code: string },
): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `with changed as (
       update lrs.request set status = $2, updated_at = now()
        where id = any($1::bigint[]) and status = 'cancelled'
          and ($3::int[] is null or organisation_id = any($3::int[]))
       returning id, organisation_id, batch_id
     ), audited as (
       insert into lrs.audit (organisation_id, request_id, batch_id, user_name, operation, code, code_source, duration_ms)
       select organisation_id, id, batch_id, $4, 'relay.undo-cancel', $5, 'relay', 0 from changed
     )
     select id from changed order by id`,
    [ids, o.status, o.actor.organisationIds, o.actor.name, o.code],
  );
  return r.rows.map((row) => Number(row.id));
}
