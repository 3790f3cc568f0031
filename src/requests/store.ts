/**
 * The SQL a worker runs against lrs.request: read, claim, record a retry, write the terminal result.
 * Each write is one transaction, guarded so a request reaches exactly one terminal state. The hot
 * statements are named, so each pooled connection parses and plans them once rather than per call.
 */
import type pg from 'pg';
import type { CodeClass, CodeSource } from '../lrs/types.ts';
import {
  REQUEST_STATUSES,
  TERMINAL_STATUSES,
  type RequestKind,
  type RequestStatus,
} from '../../db/schema.ts';

const TERMINAL_SQL = `(${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

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

export async function loadRequest(pool: pg.Pool, id: number): Promise<RequestRow | undefined> {
  const r = await pool.query({
    name: 'lrs-load-request',
    text: `select id, organisation_id as "organisationId", requested_by as "requestedBy", kind, mode,
            mis_learner_id as "misLearnerId", payload, status, attempts, register_in_doubt as "registerInDoubt"
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
  const others = REQUEST_STATUSES.filter((s) => !allowed.includes(s));
  return `status not in (${others.map((s) => `'${s}'`).join(', ')})`;
}

/**
 * Moves queued (or re-delivered) requests to in_progress and counts the attempt, returning each one as
 * it is now (no row when it is no longer open). $1 = the request ids.
 *
 * The claim's commit need not wait for the WAL flush: if Postgres crashed and lost it, the request
 * would simply be claimed again. (set_config(..., true) lasts until this statement's own commit.)
 */
export const START_ATTEMPTS_SQL = `
  update lrs.request set status = 'in_progress', attempts = attempts + 1, updated_at = now()
    from (select set_config('synchronous_commit', 'off', true)) as no_flush
   where id = any($1::bigint[]) and ${statusAmong('pending', 'queued', 'in_progress')}
   returning id, organisation_id as "organisationId", requested_by as "requestedBy", kind, mode,
             mis_learner_id as "misLearnerId", payload, status, attempts, register_in_doubt as "registerInDoubt"`;

/** Runs START_ATTEMPTS_SQL for any number of requests in one statement; undefined for each no longer open. */
export async function startAttempts(pool: pg.Pool, ids: number[]): Promise<(RequestRow | undefined)[]> {
  const r = await pool.query({ name: 'lrs-start-attempts', text: START_ATTEMPTS_SQL, values: [ids] });
  const byId = new Map((r.rows as RequestRow[]).map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id));
}

export async function setRegisterInDoubt(pool: pg.Pool, id: number, inDoubt: boolean): Promise<void> {
  await pool.query('update lrs.request set register_in_doubt = $2, updated_at = now() where id = $1', [
    id,
    inDoubt,
  ]);
}

/** Audit entries as the five parallel arrays the unnest() inserts take. */
function auditColumns(audits: AuditEntry[]): unknown[] {
  return [
    audits.map((a) => a.operation),
    audits.map((a) => a.code),
    audits.map((a) => a.codeSource),
    audits.map((a) => a.httpStatus ?? null),
    audits.map((a) => Math.round(a.durationMs)),
  ];
}

/** The audit insert of a request's calls: $1 request id, $2 organisation, $3 user, $4 attempt, $5–$9 auditColumns. */
const INSERT_AUDITS = `insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, http_status, duration_ms, attempt)
       select $2, $1, $3, a.operation, a.code, a.code_source, a.http_status, a.duration_ms, $4
         from unnest($5::text[], $6::text[], $7::text[], $8::int[], $9::int[])
           as a(operation, code, code_source, http_status, duration_ms)`;

export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no error listener; a backend killed between two statements would otherwise
  // crash the process. The next statement fails instead, and the transaction is retried by the job.
  client.on('error', ignoreClientError);
  let failure: Error | undefined;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.off('error', ignoreClientError);
    // A client that failed may have lost its backend: let the pool discard it.
    client.release(failure);
  }
}

export function ignoreClientError(): void {}

/** Records a failed attempt that will be retried: the code, a short reason and the audit rows, in one statement. */
export async function recordRetry(
  pool: pg.Pool,
  req: RequestRow,
  o: { code: string; error: string; audits: AuditEntry[] },
): Promise<void> {
  await pool.query(
    `with audit as (${INSERT_AUDITS})
     update lrs.request set last_code = $10, last_error = $11, updated_at = now()
      where id = $1 and status not in ${TERMINAL_SQL}`,
    [
      req.id,
      req.organisationId,
      req.requestedBy,
      req.attempts,
      ...auditColumns(o.audits),
      o.code,
      o.error.slice(0, 1000),
    ],
  );
}

/** One request's terminal write: the request, its resolution and the calls to audit. */
export interface Completion {
  request: RequestRow;
  resolution: Resolution;
  audits: AuditEntry[];
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/**
 * Writes terminal results: outcome, request status, audit rows (and learning events) for any number of
 * requests in ONE statement, so each result is atomic and concurrent jobs share a round trip. Returns,
 * per completion, false when the request was already terminal (e.g. cancelled meanwhile); the outcome
 * is still kept so an issued ULN is never lost.
 */
export async function completeRequests(pool: pg.Pool, items: Completion[]): Promise<boolean[]> {
  const audits = items.flatMap(({ request: q, audits: a }) => a.map((x) => ({ q, x })));
  const events = items.flatMap(({ request: q, resolution: r }) => (r.events ?? []).map((e) => ({ q, e })));
  const res = items.map((i) => i.resolution);
  const r = await pool.query({
    name: 'lrs-complete-requests',
    text: `with input as (
       select * from unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::jsonb[], $9::jsonb[], $10::jsonb[], $11::jsonb[], $12::text[], $13::jsonb[], $14::jsonb[],
                            $15::text[], $16::text[])
         as t(request_id, organisation_id, code, code_source, class, uln, master_uln, linked_ulns, candidates, learner,
              failure_flags, description, problems, detail, status, last_error)
     ), outcome as (
       insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, master_uln, linked_ulns,
                                candidates, learner, failure_flags, description, problems, detail)
       select request_id, organisation_id, code, code_source, class, uln, master_uln,
              case when linked_ulns is null then null else array(select jsonb_array_elements_text(linked_ulns)) end,
              candidates, learner,
              case when failure_flags is null then null else array(select jsonb_array_elements_text(failure_flags)) end,
              description, problems, detail
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
       select * from unnest($17::int[], $18::bigint[], $19::text[], $20::text[], $21::text[], $22::text[], $23::int[], $24::int[], $25::int[])
     ), events as (
       insert into lrs.learning_event (request_id, organisation_id, mis_learner_id, uln, event_id, source, subject_code,
                                       subject, qualification_type, level, grade, credits, achievement_award_date,
                                       awarding_organisation_name, achievement_provider_ukprn, status, event)
       select e.request_id, e.organisation_id, e.mis_learner_id, e.uln, (e.ev->>'id')::int, e.ev->>'source',
              e.ev->>'subjectCode', e.ev->>'subject', e.ev->>'qualificationType', e.ev->>'level', e.ev->>'grade',
              (e.ev->>'credits')::int, e.ev->>'achievementAwardDate', e.ev->>'awardingOrganisationName',
              e.ev->>'achievementProviderUkprn', e.ev->>'status', e.ev
         from unnest($26::bigint[], $27::int[], $28::text[], $29::text[], $30::jsonb[])
           as e(request_id, organisation_id, mis_learner_id, uln, ev)
        where e.request_id in (select id from updated)
     )
     select id from updated`,
    values: [
      items.map((i) => i.request.id),
      items.map((i) => i.request.organisationId),
      res.map((x) => x.code),
      res.map((x) => x.codeSource),
      res.map((x) => x.class),
      res.map((x) => x.uln ?? null),
      res.map((x) => x.masterUln ?? null),
      res.map((x) => json(x.linkedUlns)),
      res.map((x) => json(x.candidates)),
      res.map((x) => json(x.learner)),
      res.map((x) => json(x.failureFlags)),
      res.map((x) => x.description?.slice(0, 2000) ?? null),
      res.map((x) => json(x.problems)),
      res.map((x) => json(x.detail)),
      res.map((x) => x.status),
      res.map((x) => (x.status === 'succeeded' ? null : (x.description?.slice(0, 1000) ?? null))),
      audits.map(({ q }) => q.organisationId),
      audits.map(({ q }) => q.id),
      audits.map(({ q }) => q.requestedBy),
      audits.map(({ x }) => x.operation),
      audits.map(({ x }) => x.code),
      audits.map(({ x }) => x.codeSource),
      audits.map(({ x }) => x.httpStatus ?? null),
      audits.map(({ x }) => Math.round(x.durationMs)),
      audits.map(({ q }) => q.attempts),
      events.map(({ q }) => q.id),
      events.map(({ q }) => q.organisationId),
      events.map(({ q }) => q.misLearnerId),
      events.map(({ e }) => e.uln),
      events.map(({ e }) => JSON.stringify(e.event)),
    ],
  });
  const changed = new Set((r.rows as { id: number }[]).map((x) => x.id));
  return items.map((i) => changed.has(i.request.id));
}

/** completeRequests for one request. */
export async function completeRequest(
  pool: pg.Pool,
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
  pool: pg.Pool,
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
  pool: pg.Pool,
  identityKey: string,
  requestId: number,
): Promise<void> {
  await pool.query('delete from lrs.register_lock where identity_key = $1 and request_id = $2', [
    identityKey,
    requestId,
  ]);
}
