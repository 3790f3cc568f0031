/**
 * The statements on one request at a time (or a few, grouped by the batcher): read, claim, record a
 * retry, write the terminal result, the registration lock, and the reconcile sweep's look-ups. Each
 * write is one statement, guarded so a request reaches exactly one terminal state. The hot statements
 * are named, so each pooled connection parses and plans them once rather than per call.
 */
import type { CodeClass, CodeSource } from '../lrs/types.ts';
import {
  REQUEST_STATUSES,
  TERMINAL_STATUSES,
  type RequestKind,
  type RequestStatus,
} from '../../db/schema.ts';
import { sqlList } from './sql-list.ts';
import { planAsOneRow } from './plans.ts';
import type { Queryable } from './transaction.ts';

/** `(…)` of the terminal statuses, for `status not in ${TERMINAL_SQL}`. */
export const TERMINAL_SQL = sqlList(TERMINAL_STATUSES);

/**
 * The conflict clause of an insert into lrs.request that may meet a dedupe key. request_dedupe_key holds
 * only the requests that have a key, so the clause names its predicate (without it Postgres finds no
 * index to arbitrate on); the form works on the full index migrations before 0009 had, too.
 */
export const ON_DEDUPE_KEY_CONFLICT =
  'on conflict (organisation_id, dedupe_key) where dedupe_key is not null';

export interface RequestRow {
  id: number;
  organisationId: number;
  requestedBy: string;
  kind: RequestKind;
  mode: string;
  misLearnerId: string;
  payload: Record<string, unknown>;
  status: RequestStatus;
  attempts: number;
  registerInDoubt: boolean;
  /** When the MIS submitted it: the date a registration's age rule is judged on (src/lrs/age.ts). */
  createdAt: Date;
}

/** One audited LRS call (or relay action). */
export interface AuditEntry {
  operation: string;
  code: string;
  codeSource: CodeSource;
  httpStatus?: number | undefined;
  durationMs: number;
}

/** The terminal result of a request, written in one transaction. */
export interface Resolution {
  status: 'succeeded' | 'needs_action' | 'rejected' | 'failed';
  code: string;
  codeSource: CodeSource;
  class: CodeClass;
  uln?: string | undefined;
  masterUln?: string | undefined;
  linkedUlns?: string[] | undefined;
  candidates?: unknown[] | undefined;
  learner?: unknown;
  failureFlags?: string[] | undefined;
  description?: string | undefined;
  problems?: unknown[] | undefined;
  detail?: unknown;
  /** Learning events to store (learning_events requests). */
  events?: { uln: string; event: Record<string, unknown> }[] | undefined;
}

export async function loadRequest(pool: Queryable, id: number): Promise<RequestRow | undefined> {
  const r = await pool.query({
    name: 'lrs-load-request',
    text: `select id, organisation_id as "organisationId", requested_by as "requestedBy", kind, mode,
            mis_learner_id as "misLearnerId", payload, status, attempts, register_in_doubt as "registerInDoubt", created_at as "createdAt"
       from lrs.request where id = $1`,
    values: [id],
  });
  return r.rows[0] as RequestRow | undefined;
}

/**
 * A condition limiting `status` to the given statuses for statements that pick requests by id, written
 * as `not in` the other statuses on purpose: `status in (...)` lets the planner walk a status index and
 * filter by id, and when its statistics predate a burst of new work (an import, a fresh table) that walk
 * covers every queued or pending row on every call. `not in` cannot use an index, so the rows are always
 * found through the primary key (test/integration/request-store-plans.test.ts checks the plans).
 */
export function statusAmong(...allowed: RequestStatus[]): string {
  return `status not in ${sqlList(REQUEST_STATUSES.filter((s) => !allowed.includes(s)))}`;
}

/**
 * Moves queued (or re-delivered) requests to in_progress and counts the attempt, returning each one as
 * it is now (no row when it is no longer open). $1 = the request ids (no id twice).
 *
 * `lrs.request.attempts` is the one count of a request's attempts: the retry decision
 * (src/codes/next-step.ts) and the reconcile sweep read it. It is counted when the attempt starts, so a
 * worker that dies during the call has used one; a run that ends in a wait or a queue pause used none,
 * and recordRetry gives it back in the statement that records it (`attemptUsed: false`).
 *
 * The claim's commit need not wait for the WAL flush: if Postgres crashed and lost it, the request
 * would simply be claimed again. (set_config(..., true) lasts until this statement's own commit.)
 */
export const START_ATTEMPTS_SQL = `
  update lrs.request r set status = 'in_progress', attempts = r.attempts + 1, updated_at = now()
    from (select set_config('synchronous_commit', 'off', true)) as no_flush,
         unnest($1::bigint[]) as claim(id)
   where r.id = claim.id and ${planAsOneRow('claim.id')} and ${statusAmong('pending', 'queued', 'in_progress')}
   returning r.id, r.organisation_id as "organisationId", r.requested_by as "requestedBy", r.kind, r.mode,
             r.mis_learner_id as "misLearnerId", r.payload, r.status, r.attempts, r.register_in_doubt as "registerInDoubt", r.created_at as "createdAt"`;

/** Runs START_ATTEMPTS_SQL for any number of requests in one statement; undefined for each no longer open. */
export async function startAttempts(pool: Queryable, ids: number[]): Promise<(RequestRow | undefined)[]> {
  const r = await pool.query({ name: 'lrs-start-attempts', text: START_ATTEMPTS_SQL, values: [ids] });
  const byId = new Map((r.rows as RequestRow[]).map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id));
}

export async function setRegisterInDoubt(pool: Queryable, id: number, inDoubt: boolean): Promise<void> {
  await pool.query('update lrs.request set register_in_doubt = $2, updated_at = now() where id = $1', [
    id,
    inDoubt,
  ]);
}

/** The audit columns of an entry, as the objects the jsonb_to_recordset() inserts read by name. */
function auditRecords(audits: readonly AuditEntry[]): AuditRecord[] {
  return audits.map((a) => ({
    operation: a.operation,
    code: a.code,
    code_source: a.codeSource,
    http_status: a.httpStatus ?? null,
    duration_ms: Math.round(a.durationMs),
  }));
}
interface AuditRecord {
  operation: string;
  code: string;
  code_source: CodeSource;
  http_status: number | null;
  duration_ms: number;
}
/** Column list of jsonb_to_recordset() over AuditRecord objects. */
const AUDIT_RECORD = `(operation text, code text, code_source text, http_status int, duration_ms int)`;

/**
 * Records a run that did not settle the request, in one statement: the code, a short reason and the audit
 * rows. `attemptUsed: false` (a wait for the learner, a queue pause) gives back the attempt
 * START_ATTEMPTS_SQL counted, so only the attempts the retry policy allows are spent.
 */
export async function recordRetry(
  pool: Queryable,
  req: RequestRow,
  o: { code: string; error: string; audits: AuditEntry[]; attemptUsed: boolean },
): Promise<void> {
  await pool.query({
    name: 'lrs-record-retry',
    text: `with audit as (
       insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, http_status, duration_ms, attempt)
       select $2, $1, $3, a.operation, a.code, a.code_source, a.http_status, a.duration_ms, $4
         from jsonb_to_recordset($5::jsonb) as a${AUDIT_RECORD}
     )
     update lrs.request set last_code = $6, last_error = $7, attempts = greatest(0, attempts - $8::int), updated_at = now()
      where id = $1 and status not in ${TERMINAL_SQL}`,
    values: [
      req.id,
      req.organisationId,
      req.requestedBy,
      req.attempts,
      JSON.stringify(auditRecords(o.audits)),
      o.code,
      o.error.slice(0, 1000),
      o.attemptUsed ? 0 : 1,
    ],
  });
}

/** One request's terminal write: the request, its resolution and the calls to audit. */
export interface Completion {
  request: RequestRow;
  resolution: Resolution;
  audits: AuditEntry[];
}

/** completeRequests' statement: $1 = the completions as a jsonb array (completionRecord). */
export const COMPLETE_REQUESTS_SQL = `
     with input as (
       select * from jsonb_to_recordset($1::jsonb)
         as t(request_id bigint, organisation_id int, requested_by text, mis_learner_id text, attempt int,
              code text, code_source text, class text, uln text, master_uln text, linked_ulns text[],
              candidates jsonb, learner jsonb, failure_flags text[], description text, problems jsonb,
              detail jsonb, status text, last_error text, audits jsonb, events jsonb)
        where ${planAsOneRow('request_id')}
     ), outcome as (
       insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, master_uln, linked_ulns,
                                candidates, learner, failure_flags, description, problems, detail)
       select request_id, organisation_id, code, code_source, class, uln, master_uln, linked_ulns,
              candidates, learner, failure_flags, description, problems, detail
         from input
       on conflict (request_id) do nothing
     ), updated as (
       update lrs.request r set status = i.status, last_code = i.code, last_error = i.last_error, register_in_doubt = false,
              completed_at = now(), updated_at = now()
         from input i
        where r.id = i.request_id and r.status not in ${TERMINAL_SQL}
        returning r.id
     ), audit as (
       insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, http_status, duration_ms, attempt)
       select i.organisation_id, i.request_id, i.requested_by, a.operation, a.code, a.code_source, a.http_status,
              a.duration_ms, i.attempt
         from input i cross join lateral jsonb_to_recordset(i.audits) as a${AUDIT_RECORD}
     ), events as (
       insert into lrs.learning_event (request_id, organisation_id, mis_learner_id, uln, event_id, source, subject_code,
                                       subject, qualification_type, level, grade, credits, achievement_award_date,
                                       awarding_organisation_name, achievement_provider_ukprn, status, event)
       select i.request_id, i.organisation_id, i.mis_learner_id, e.uln, (e.ev->>'id')::int, e.ev->>'source',
              e.ev->>'subjectCode', e.ev->>'subject', e.ev->>'qualificationType', e.ev->>'level', e.ev->>'grade',
              (e.ev->>'credits')::int, e.ev->>'achievementAwardDate', e.ev->>'awardingOrganisationName',
              e.ev->>'achievementProviderUkprn', e.ev->>'status', e.ev
         from input i cross join lateral jsonb_to_recordset(i.events) as e(uln text, ev jsonb)
        where i.request_id in (select id from updated)
     )
     select id from updated`;

/**
 * Writes terminal results: outcome, request status, audit rows (and learning events) for any number of
 * requests in ONE statement, so each result is atomic and concurrent jobs share a round trip. The
 * completions travel as one jsonb array read by field name (audits and events nested in each), not as
 * positional parameters. Returns, per completion, false when the request was already terminal (e.g.
 * cancelled meanwhile); the outcome is still kept so an issued ULN is never lost.
 */
export async function completeRequests(pool: Queryable, items: readonly Completion[]): Promise<boolean[]> {
  const r = await pool.query({
    name: 'lrs-complete-requests',
    text: COMPLETE_REQUESTS_SQL,
    values: [JSON.stringify(items.map(completionRecord))],
  });
  const changed = new Set((r.rows as { id: number }[]).map((x) => x.id));
  return items.map((i) => changed.has(i.request.id));
}

/** One completion as the object completeRequests' jsonb_to_recordset() reads (undefined fields become null). */
function completionRecord({ request: q, resolution: x, audits }: Completion): Record<string, unknown> {
  return {
    request_id: q.id,
    organisation_id: q.organisationId,
    requested_by: q.requestedBy,
    mis_learner_id: q.misLearnerId,
    attempt: q.attempts,
    code: x.code,
    code_source: x.codeSource,
    class: x.class,
    uln: x.uln,
    master_uln: x.masterUln,
    linked_ulns: x.linkedUlns,
    candidates: x.candidates,
    learner: x.learner,
    failure_flags: x.failureFlags,
    description: x.description?.slice(0, 2000),
    problems: x.problems,
    detail: x.detail,
    status: x.status,
    last_error: x.status === 'succeeded' ? null : (x.description?.slice(0, 1000) ?? null),
    audits: auditRecords(audits),
    events: (x.events ?? []).map((e) => ({ uln: e.uln, ev: e.event })),
  };
}

/** completeRequests for one request. */
export async function completeRequest(
  pool: Queryable,
  request: RequestRow,
  resolution: Resolution,
  audits: AuditEntry[],
): Promise<boolean> {
  const [changed] = await completeRequests(pool, [{ request, resolution, audits }]);
  return changed ?? false;
}

/**
 * Takes the per-person registration lock (see lrs.register_lock). Returns false when another live request
 * holds it; an expired lock (its worker died) is taken over.
 */
export async function acquireRegisterLock(
  pool: Queryable,
  identityKey: string,
  requestId: number,
  ttlMs: number,
): Promise<boolean> {
  const r = await pool.query(
    `insert into lrs.register_lock (identity_key, request_id, expires_at)
     values ($1, $2, now() + ($3::int * interval '1 millisecond'))
     on conflict (identity_key) do update set request_id = excluded.request_id, expires_at = excluded.expires_at
       where lrs.register_lock.expires_at < now() or lrs.register_lock.request_id = excluded.request_id
     returning request_id`,
    [identityKey, requestId, ttlMs],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function releaseRegisterLock(
  pool: Queryable,
  identityKey: string,
  requestId: number,
): Promise<void> {
  await pool.query('delete from lrs.register_lock where identity_key = $1 and request_id = $2', [
    identityKey,
    requestId,
  ]);
}

/** A queued or in-progress request nobody has touched for a while, as the reconcile sweep sees it. */
export interface StaleRequest extends RequestRow {
  /** updated_at as text: a JS Date would drop the microseconds and never compare equal again. */
  updatedAt: string;
}

/** Queued or in-progress requests untouched for `staleMs`, oldest id first, at most `limit`. */
export async function findStaleRequests(
  pool: Queryable,
  o: { staleMs: number; limit: number },
): Promise<StaleRequest[]> {
  const r = await pool.query(
    `select id, organisation_id as "organisationId", requested_by as "requestedBy", kind, mode,
            mis_learner_id as "misLearnerId", payload, status, attempts, register_in_doubt as "registerInDoubt", created_at as "createdAt",
            updated_at::text as "updatedAt"
       from lrs.request
      where status in ('queued', 'in_progress')
        and updated_at < now() - ($1::int * interval '1 millisecond')
      order by id
      limit $2`,
    [o.staleMs, o.limit],
  );
  return r.rows as StaleRequest[];
}

/** Puts a stale request back to pending, only if nobody touched it since it was read. True when it moved. */
export async function returnToPendingIfUnchanged(pool: Queryable, row: StaleRequest): Promise<boolean> {
  const r = await pool.query(
    `update lrs.request set status = 'pending', updated_at = now()
      where id = $1 and status = $2 and updated_at = $3::timestamptz`,
    [row.id, row.status, row.updatedAt],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Wakes the outbox relays (channel lrs_request); `reason` is only for whoever listens by hand. */
export async function notifyOutbox(pool: Queryable, reason: string): Promise<void> {
  await pool.query(`select pg_notify('lrs_request', $1)`, [reason]);
}
