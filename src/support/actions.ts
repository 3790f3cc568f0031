/**
 * What support staff change: retry, cancel, and resolve a possible match. Each action checks the
 * actor's organisations inside the SQL (never trusting a caller's pre-check), writes one lrs.audit
 * row per request, and commits atomically. Retry notifies channel lrs_request so the outbox relay
 * re-enqueues the request at once.
 */
import type pg from 'pg';
import type { Database } from '../db/pool.ts';
import { canSeeOrganisation, canSeePersonalData, type Actor } from './access.ts';

export type SupportDb = Pick<Database, 'pool'>;

/** Codes lrs-relay itself writes for support actions (code_source 'relay'). */
export const SUPPORT_CODES = {
  /** Audit: a person sent a finished request back to pending. */
  RETRY: 'RETRY',
  /** Audit: a person cancelled a request. */
  CANCEL: 'CANCEL',
  /** Outcome and audit: a person chose one of the LRS's possible-match candidates. */
  STAFF_MATCHED: 'STAFF_MATCHED',
  /** Audit: a person rejected every candidate; the request still needs action. */
  STAFF_NO_MATCH: 'STAFF_NO_MATCH',
} as const;

export const RETRYABLE_STATUSES = ['needs_action', 'failed', 'rejected', 'cancelled'] as const;
export const CANCELLABLE_STATUSES = [
  'pending',
  'queued',
  'in_progress',
  'batched',
  'held',
  'needs_action',
] as const;

export interface ActionResult {
  /** Ids changed. */
  done: number[];
  /** Ids left alone: not found / not visible to the actor, or in a status the action does not apply to. */
  skipped: { id: number; reason: 'not_found' | 'wrong_status' }[];
}

export interface ActionOptions {
  /** Ids per transaction (default 500). */
  chunkSize?: number;
  /** Called after each chunk with the number of ids handled so far and the total. */
  onProgress?: (handled: number, total: number) => void;
}

async function inTransaction<T>(db: SupportDb, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await db.pool.connect();
  try {
    await c.query('begin');
    const r = await fn(c);
    await c.query('commit');
    return r;
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

async function classify(
  c: pg.PoolClient,
  ids: number[],
  changed: number[],
  actor: Actor,
): Promise<ActionResult['skipped']> {
  const left = ids.filter((id) => !changed.includes(id));
  if (left.length === 0) return [];
  const r = await c.query<{ id: number; organisation_id: number }>(
    'select id, organisation_id from lrs.request where id = any($1::bigint[])',
    [left],
  );
  const visible = new Set(
    r.rows.filter((row) => canSeeOrganisation(actor, row.organisation_id)).map((row) => row.id),
  );
  return left.map((id) => ({
    id,
    reason: visible.has(id) ? ('wrong_status' as const) : ('not_found' as const),
  }));
}

async function runChunked(
  db: SupportDb,
  ids: readonly number[],
  actor: Actor,
  o: ActionOptions,
  step: (c: pg.PoolClient, chunk: number[]) => Promise<number[]>,
): Promise<ActionResult> {
  const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0);
  const size = o.chunkSize ?? 500;
  const result: ActionResult = { done: [], skipped: [] };
  for (let i = 0; i < unique.length; i += size) {
    const chunk = unique.slice(i, i + size);
    await inTransaction(db, async (c) => {
      const changed = await step(c, chunk);
      result.done.push(...changed);
      result.skipped.push(...(await classify(c, chunk, changed, actor)));
    });
    o.onProgress?.(Math.min(i + size, unique.length), unique.length);
  }
  return result;
}

/**
 * Sends finished requests (needs_action, failed, rejected, cancelled) back to pending: outcome
 * deleted, attempts and codes cleared, audit 'relay.retry', NOTIFY lrs_request per id.
 */
export function retryRequests(
  db: SupportDb,
  ids: readonly number[],
  actor: Actor,
  o: ActionOptions = {},
): Promise<ActionResult> {
  return runChunked(db, ids, actor, o, async (c, chunk) => {
    const r = await c.query<{ id: number }>(
      `with target as (
         select id from lrs.request
          where id = any($1::bigint[]) and status = any($2::text[])
            and ($3::int[] is null or organisation_id = any($3::int[]))
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
      [chunk, RETRYABLE_STATUSES, actor.organisationIds, actor.name, SUPPORT_CODES.RETRY],
    );
    const done = r.rows.map((row) => row.id);
    // Delivered at commit, so the relay never sees a pending row that is not there yet.
    if (done.length > 0)
      await c.query(`select pg_notify('lrs_request', id::text) from unnest($1::bigint[]) as id`, [done]);
    return done;
  });
}

/** Cancels requests that are not finished (or still need action): status cancelled, audit 'relay.cancel'. */
export function cancelRequests(
  db: SupportDb,
  ids: readonly number[],
  actor: Actor,
  o: ActionOptions = {},
): Promise<ActionResult> {
  return runChunked(db, ids, actor, o, async (c, chunk) => {
    const r = await c.query<{ id: number }>(
      `with changed as (
         update lrs.request
            set status = 'cancelled', completed_at = now(), updated_at = now()
          where id = any($1::bigint[]) and status = any($2::text[])
            and ($3::int[] is null or organisation_id = any($3::int[]))
         returning id, organisation_id, batch_id
       ), audited as (
         insert into lrs.audit (organisation_id, request_id, batch_id, user_name, operation, code, code_source, duration_ms)
         select organisation_id, id, batch_id, $4, 'relay.cancel', $5, 'relay', 0 from changed
       )
       select id from changed order by id`,
      [chunk, CANCELLABLE_STATUSES, actor.organisationIds, actor.name, SUPPORT_CODES.CANCEL],
    );
    return r.rows.map((row) => row.id);
  });
}

export class SupportActionError extends Error {
  override readonly name = 'SupportActionError';
  constructor(
    readonly code: 'not_found' | 'wrong_status' | 'no_candidates' | 'unknown_candidate' | 'note_required',
    message: string,
  ) {
    super(message);
  }
}

export type ResolveResult = { outcome: 'matched'; uln: string } | { outcome: 'rejected_all' };

/**
 * Resolves a possible match. `uln` = the chosen candidate's ULN: the request succeeds with code
 * STAFF_MATCHED and that ULN. `uln` null = every candidate rejected: the request stays needs_action
 * with the note (required). Only staff who may see the organisation's personal data may do this,
 * since choosing means comparing the learner's details.
 */
export async function resolvePossibleMatch(
  db: SupportDb,
  requestId: number,
  uln: string | null,
  actor: Actor,
  note: string,
): Promise<ResolveResult> {
  const trimmed = note.trim().slice(0, 2000);
  return inTransaction(db, async (c) => {
    const r = await c.query<{
      organisation_id: number;
      status: string;
      batch_id: number | null;
      candidates: unknown;
    }>(
      `select r.organisation_id, r.status, r.batch_id, o.candidates
         from lrs.request r left join lrs.outcome o on o.request_id = r.id
        where r.id = $1 for update of r`,
      [requestId],
    );
    const row = r.rows[0];
    if (
      !row ||
      !canSeeOrganisation(actor, row.organisation_id) ||
      !canSeePersonalData(actor, row.organisation_id)
    ) {
      throw new SupportActionError('not_found', `request ${requestId} not found`);
    }
    if (row.status !== 'needs_action')
      throw new SupportActionError('wrong_status', `request ${requestId} is ${row.status}, not needs_action`);
    const candidates = Array.isArray(row.candidates) ? (row.candidates as { uln?: unknown }[]) : [];
    if (candidates.length === 0)
      throw new SupportActionError(
        'no_candidates',
        `request ${requestId} has no candidate learners to choose from`,
      );
    const audit = (code: string, operation: string) =>
      c.query(
        `insert into lrs.audit (organisation_id, request_id, batch_id, user_name, operation, code, code_source, duration_ms)
         values ($1, $2, $3, $4, $5, $6, 'relay', 0)`,
        [row.organisation_id, requestId, row.batch_id, actor.name, operation, code],
      );
    if (uln === null) {
      if (trimmed === '')
        throw new SupportActionError('note_required', 'say why every candidate was rejected');
      await c.query('update lrs.request set staff_note = $2, updated_at = now() where id = $1', [
        requestId,
        trimmed,
      ]);
      await audit(SUPPORT_CODES.STAFF_NO_MATCH, 'relay.reject-candidates');
      return { outcome: 'rejected_all' };
    }
    const chosen = candidates.find((cand) => cand.uln === uln);
    if (!chosen)
      throw new SupportActionError(
        'unknown_candidate',
        `ULN is not one of the candidates of request ${requestId}`,
      );
    await c.query(
      `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, candidates, learner, description)
       values ($1, $2, $3, 'relay', 'success', $4, $5::jsonb, $6::jsonb, $7)
       on conflict (request_id) do update set code = excluded.code, code_source = excluded.code_source, class = excluded.class,
         uln = excluded.uln, master_uln = null, linked_ulns = null, learner = excluded.learner,
         failure_flags = null, description = excluded.description, created_at = now()`,
      [
        requestId,
        row.organisation_id,
        SUPPORT_CODES.STAFF_MATCHED,
        uln,
        JSON.stringify(candidates),
        JSON.stringify(chosen),
        `Chosen by ${actor.name}`,
      ],
    );
    await c.query(
      `update lrs.request set status = 'succeeded', last_code = $2, last_error = null, staff_note = nullif($3, ''),
              completed_at = now(), updated_at = now() where id = $1`,
      [requestId, SUPPORT_CODES.STAFF_MATCHED, trimmed],
    );
    await audit(SUPPORT_CODES.STAFF_MATCHED, 'relay.resolve-match');
    return { outcome: 'matched', uln };
  });
}
