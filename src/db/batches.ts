/**
 * The SQL of batch work: the lrs.batch row's state changes and the bulk writes to lrs.request /
 * lrs.outcome that a batch needs. Same columns and guards as src/db/requests.ts (outcome insert on
 * conflict do nothing; a request is only ever moved out of a non-terminal state), but many rows per
 * statement: one statement per chunk, its rows passed as one jsonb array read by field name, so
 * thousands of results cost a few round trips.
 *
 * The hot look-ups of a batch's open members (submit's load, the poll's ids, startSubmitTry) read by
 * `batch_id` alone, in a materialized CTE, and only then filter on `status = 'batched'`. Asked both at
 * once, the planner may serve the status from the open-request index when its statistics predate the
 * night (no request was `batched` when the table was last analysed): it then reads every request batched
 * tonight, in every batch, for each look-up. Measured on a year-old table (docs/batches.md): 779–1,194
 * blocks a call that way, 15–16 by batch alone. The updates of the failure paths (returnSubmitTry,
 * requeueAsSingle, releaseToPending) still ask both, and rely on migration 0016's analyses.
 */
import type pg from 'pg';
import type { BatchKind, BatchStatus } from '../../db/schema.ts';
import type { CodeSource } from '../lrs/types.ts';
import { statusAmong, TERMINAL_SQL, type AuditEntry, type Resolution } from './requests.ts';
import type { Queryable } from './transaction.ts';

export interface BatchRow {
  id: number;
  organisationId: number;
  kind: BatchKind;
  jobType: string | null;
  status: BatchStatus;
  requestedBy: string;
  lrsJobId: string | null;
  recordCount: number;
  polls: number;
  counters: Record<string, unknown>;
  createdAt: Date;
  submittedAt: Date | null;
  updatedAt: Date;
}

const BATCH_COLUMNS = `id, organisation_id as "organisationId", kind, job_type as "jobType", status, requested_by as "requestedBy",
  lrs_job_id as "lrsJobId", record_count as "recordCount", polls, counters, created_at as "createdAt",
  submitted_at as "submittedAt", updated_at as "updatedAt"`;

export async function loadBatch(db: Queryable, id: number): Promise<BatchRow | undefined> {
  const r = await db.query(`select ${BATCH_COLUMNS} from lrs.batch where id = $1`, [id]);
  return r.rows[0] as BatchRow | undefined;
}

/**
 * Inserts the batch row and marks its requests batched, in the caller's transaction. The batch's first
 * submit try is counted here, in the update that marks them batched: counting it when the try starts
 * would write every member's row once more (a quarter more WAL and dead rows over a night). A try that
 * ends and leaves a next one counts that next one (returnSubmitTry); a try that used no attempt leaves
 * the count as it is.
 */
export async function insertBatch(
  c: pg.PoolClient,
  b: {
    organisationId: number;
    kind: BatchKind;
    jobType: string | null;
    requestedBy: string;
    requestIds: number[];
  },
): Promise<number> {
  const r = await c.query(
    `insert into lrs.batch (organisation_id, kind, job_type, status, requested_by, record_count)
     values ($1, $2, $3, 'assembled', $4, $5) returning id`,
    [b.organisationId, b.kind, b.jobType, b.requestedBy, b.requestIds.length],
  );
  const id = Number(r.rows[0].id);
  await c.query(
    `update lrs.request set status = 'batched', batch_id = $1, attempts = attempts + 1, updated_at = now()
      where id = any($2::bigint[]) and ${statusAmong('pending')}`,
    [id, b.requestIds],
  );
  return id;
}

/** Moves a batch from one status to another; false if it was not in `from` (someone else moved it). */
export async function moveBatch(
  db: Queryable,
  id: number,
  from: readonly BatchStatus[],
  to: BatchStatus,
  set: {
    lrsJobId?: string;
    lastCode?: string;
    lastError?: string | null;
    counters?: Record<string, unknown>;
    recordCount?: number;
  } = {},
): Promise<boolean> {
  const r = await db.query(
    `update lrs.batch set status = $3,
            lrs_job_id = coalesce($4, lrs_job_id),
            last_code = coalesce($5, last_code),
            last_error = case when $6::boolean then $7 else last_error end,
            counters = counters || coalesce($8::jsonb, '{}'::jsonb),
            record_count = coalesce($9, record_count),
            submitted_at = case when $3 = 'submitted' then now() else submitted_at end,
            completed_at = case when $3 in ('completed', 'failed', 'cancelled') then now() else completed_at end,
            next_poll_at = case when $3 in ('completed', 'failed', 'cancelled') then null else next_poll_at end,
            updated_at = now()
      where id = $1 and status = any($2::text[])`,
    [
      id,
      from,
      to,
      set.lrsJobId ?? null,
      set.lastCode ?? null,
      set.lastError !== undefined,
      set.lastError?.slice(0, 1000) ?? null,
      set.counters ? JSON.stringify(set.counters) : null,
      set.recordCount ?? null,
    ],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Starts a submit try: the batch goes from `assembled` to `submitting` (committed before the call, so a
 * process that dies during it leaves the batch in doubt). The try is already counted on every open member
 * in lrs.request.attempts, the one counter the retry decision reads (by insertBatch for the first try, by
 * returnSubmitTry for the next). Returns the most attempts any member has (this try included), or
 * undefined if the batch was not `assembled` (someone else moved it) or has no open member.
 */
export async function startSubmitTry(
  db: Queryable,
  batchId: number,
  recordCount: number,
): Promise<number | undefined> {
  const r = await db.query(
    `with b as (
       update lrs.batch set status = 'submitting', record_count = $2, updated_at = now()
        where id = $1 and status = 'assembled' returning id
     ), member as materialized (
       select status, attempts from lrs.request where batch_id = (select id from b)
     )
     select max(attempts)::int as attempts from member where status = 'batched'`,
    [batchId, recordCount],
  );
  const attempts = (r.rows[0] as { attempts: number | null } | undefined)?.attempts;
  return attempts ?? undefined;
}

/**
 * Puts a batch whose submit try failed before the LRS took it back to `assembled`, to be sent again. A
 * try that used its attempt counts the next one on each open member, in the same statement; a try that
 * used none (the LRS in maintenance or out of hours: a pause of the whole queue; a wait) leaves its count
 * to the next try, as a single call's recordRetry gives its attempt back. False if the batch was not
 * `submitting`.
 */
export async function returnSubmitTry(
  db: Queryable,
  batchId: number,
  o: { attemptUsed: boolean; lastCode: string; lastError: string },
): Promise<boolean> {
  const r = await db.query(
    `with b as (
       update lrs.batch set status = 'assembled', last_code = $2, last_error = $3, updated_at = now()
        where id = $1 and status = 'submitting' returning id
     ), m as (
       update lrs.request set attempts = attempts + 1, updated_at = now()
        where $4::boolean and batch_id = (select id from b) and status = 'batched'
     )
     select count(*)::int as n from b`,
    [batchId, o.lastCode, o.lastError.slice(0, 1000), o.attemptUsed],
  );
  return Number((r.rows[0] as { n: number } | undefined)?.n ?? 0) > 0;
}

/** Counts one poll and when the next one is due. */
export async function recordPoll(
  db: Queryable,
  id: number,
  o: { code: string; nextPollAt: Date | null; error?: string | null; counters?: Record<string, unknown> },
): Promise<number> {
  const r = await db.query(
    `update lrs.batch set polls = polls + 1, last_code = $2, next_poll_at = $3, last_error = $4,
            counters = counters || coalesce($5::jsonb, '{}'::jsonb), updated_at = now()
      where id = $1 returning polls`,
    [
      id,
      o.code,
      o.nextPollAt,
      o.error?.slice(0, 1000) ?? null,
      o.counters ? JSON.stringify(o.counters) : null,
    ],
  );
  return Number(r.rows[0]?.polls ?? 0);
}

/** Adds to the batch's counters (numbers are summed, so a chunked fan-out can report as it goes). */
export async function addBatchCounts(
  db: Queryable,
  id: number,
  counts: Record<string, number>,
): Promise<void> {
  await db.query(
    `update lrs.batch b set counters = b.counters || (
        select coalesce(jsonb_object_agg(k, coalesce((b.counters->>k)::bigint, 0) + v), '{}'::jsonb)
          from jsonb_each_text($2::jsonb) as e(k, vt), lateral (select vt::bigint as v) x
     ), updated_at = now() where id = $1`,
    [id, JSON.stringify(counts)],
  );
}

export interface BatchRequest {
  id: number;
  misLearnerId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/** The open requests of a batch, in id order (the order they are sent in; achievement error rows count from it). */
export async function loadBatchRequests(db: Queryable, batchId: number): Promise<BatchRequest[]> {
  const r = await db.query(
    `with member as materialized (
       select id, status, mis_learner_id, payload, created_at from lrs.request where batch_id = $1
     )
     select id, mis_learner_id as "misLearnerId", payload, created_at as "createdAt" from member
      where status = 'batched' order by id`,
    [batchId],
  );
  return (r.rows as BatchRequest[]).map((x) => ({ ...x, id: Number(x.id) }));
}

/** Takes requests that will not be sent (settled or cancelled since assembly) out of the batch, so the batch holds exactly what was sent. */
export async function detachUnsent(db: Queryable, batchId: number): Promise<void> {
  await db.query(
    `update lrs.request set batch_id = null, updated_at = now() where batch_id = $1 and status <> 'batched'`,
    [batchId],
  );
}

/**
 * The payload of every request ever sent in the batch, by id: LRS text about the batch's records is
 * redacted with them before it is stored.
 */
export async function loadBatchMemberPayloads(db: Queryable, batchId: number): Promise<Map<number, unknown>> {
  const r = await db.query<{ id: string; payload: unknown }>(
    'select id, payload from lrs.request where batch_id = $1',
    [batchId],
  );
  return new Map(r.rows.map((x) => [Number(x.id), x.payload]));
}

/** Every request ever sent in the batch (open or settled), in submission (id) order: achievement error rows count from it. */
export async function loadBatchMemberIds(db: Queryable, batchId: number): Promise<number[]> {
  const r = await db.query('select id from lrs.request where batch_id = $1 order by id', [batchId]);
  return (r.rows as { id: number }[]).map((x) => Number(x.id));
}

/** The open (batched) requests of a batch, in id order. */
export async function loadBatchRequestIds(db: Queryable, batchId: number): Promise<number[]> {
  const r = await db.query(
    `with member as materialized (select id, status from lrs.request where batch_id = $1)
     select id from member where status = 'batched' order by id`,
    [batchId],
  );
  return r.rows.map((x: { id: string }) => Number(x.id));
}

export interface Settlement {
  requestId: number;
  resolution: Resolution;
}

/** A request a settle moved to a terminal status. */
export interface SettledRequest {
  kind: string;
  status: string;
  code: string;
}

/**
 * Writes terminal results for many requests: one statement per chunk (outcome rows + request status).
 * With `batchId`, only requests still in that batch are touched (a request put back as a single call is
 * not). Returns how many requests changed status, per status; `onChanged` gets the requests each chunk
 * changed, right after its statement (on a pool that is after commit; in a transaction, before it).
 */
export async function settleRequests(
  db: Queryable,
  items: readonly Settlement[],
  o: { batchId: number | null; chunkSize: number; onChanged?: (changed: readonly SettledRequest[]) => void },
): Promise<Record<string, number>> {
  const changed: Record<string, number> = {};
  for (let i = 0; i < items.length; i += o.chunkSize) {
    const chunk = items.slice(i, i + o.chunkSize);
    const r = await db.query(
      `with res as (
         select * from jsonb_to_recordset($1::jsonb)
           as t(id bigint, status text, code text, code_source text, class text, uln text, master_uln text,
                failure_flags text[], description text, problems jsonb, detail jsonb)
       ), ins as (
         insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, master_uln,
                                  failure_flags, description, problems, detail)
         select res.id, r.organisation_id, res.code, res.code_source, res.class, res.uln, res.master_uln,
                res.failure_flags, res.description, res.problems, res.detail
           from res join lrs.request r on r.id = res.id
          where ($2::bigint is null or r.batch_id = $2)
         on conflict (request_id) do nothing
       )
       update lrs.request r set status = res.status, last_code = res.code,
              last_error = case when res.status = 'succeeded' then null else left(res.description, 1000) end,
              register_in_doubt = false, completed_at = now(), updated_at = now()
         from res
        where r.id = res.id and r.status not in ${TERMINAL_SQL} and ($2::bigint is null or r.batch_id = $2)
       returning r.kind, r.status, r.last_code as code`,
      [
        JSON.stringify(
          chunk.map(({ requestId, resolution: x }) => ({
            id: requestId,
            status: x.status,
            code: x.code,
            code_source: x.codeSource,
            class: x.class,
            uln: x.uln,
            master_uln: x.masterUln,
            failure_flags: x.failureFlags?.length ? x.failureFlags : null,
            description: x.description?.slice(0, 2000),
            problems: x.problems,
            detail: x.detail,
          })),
        ),
        o.batchId,
      ],
    );
    const rows = r.rows as SettledRequest[];
    for (const row of rows) changed[row.status] = (changed[row.status] ?? 0) + 1;
    if (rows.length > 0) o.onChanged?.(rows);
  }
  return changed;
}

/**
 * Puts a batch's open requests (all, or `ids`) back as single calls: pending, mode single, out of the
 * batch. The outbox relay picks them up (it is notified). Returns how many moved.
 */
export async function requeueAsSingle(
  db: Queryable,
  batchId: number,
  o: { code: string; reason: string; ids?: number[] },
): Promise<number> {
  const r = await db.query(
    `update lrs.request set status = 'pending', mode = 'single', batch_id = null, last_code = $2, last_error = $3,
            not_before = null, updated_at = now()
      where batch_id = $1 and status = 'batched' and ($4::bigint[] is null or id = any($4::bigint[]))`,
    [batchId, o.code, o.reason.slice(0, 1000), o.ids ?? null],
  );
  const n = r.rowCount ?? 0;
  if (n > 0) await db.query(`select pg_notify('lrs_request', 'batch')`);
  return n;
}

/**
 * Puts a batch's open requests back to pending in their own mode, to join a new batch after `delayMs`. The
 * LRS loaded nothing of the batch, so the attempt counted for its submit try (insertBatch) is given back:
 * a request that later goes again has the retries its policy allows.
 */
export async function releaseToPending(
  db: Queryable,
  batchId: number,
  o: { code: string; reason: string; delayMs: number },
): Promise<number> {
  const r = await db.query(
    `update lrs.request set status = 'pending', batch_id = null, last_code = $2, last_error = $3,
            attempts = greatest(0, attempts - 1),
            not_before = now() + ($4::int * interval '1 millisecond'), updated_at = now()
      where batch_id = $1 and status = 'batched'`,
    [batchId, o.code, o.reason.slice(0, 1000), o.delayMs],
  );
  return r.rowCount ?? 0;
}

/** One audit row per LRS call made for a batch (request_id null, batch_id set). */
export async function insertBatchAudit(
  db: Queryable,
  b: { organisationId: number; batchId: number; userName: string },
  a: AuditEntry & { attempt?: number },
): Promise<void> {
  await db.query(
    `insert into lrs.audit (organisation_id, batch_id, user_name, operation, code, code_source, http_status, duration_ms, attempt)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      b.organisationId,
      b.batchId,
      b.userName,
      a.operation,
      a.code,
      a.codeSource satisfies CodeSource,
      a.httpStatus ?? null,
      Math.round(a.durationMs),
      a.attempt ?? null,
    ],
  );
}

/** An open batch as the batch sweep saw it: `updatedAt` tells whether anything touched it since. */
export interface StaleBatch {
  id: number;
  status: BatchStatus;
  /** As Postgres prints it, to the microsecond (a JavaScript Date keeps milliseconds only). */
  updatedAt: string;
}

/** Open batches (assembled, submitting, submitted, fetching) untouched for `staleMs`, for the batch sweep. */
export async function findStaleBatches(
  db: Queryable,
  o: { staleMs: number; limit: number },
): Promise<StaleBatch[]> {
  const r = await db.query(
    `select id, status, updated_at::text as "updatedAt" from lrs.batch
      where status in ('assembled', 'submitting', 'submitted', 'fetching')
        and updated_at < now() - ($1::int * interval '1 millisecond')
      order by id limit $2`,
    [o.staleMs, o.limit],
  );
  return r.rows as StaleBatch[];
}

/**
 * Of the batches the sweep saw, the ids still exactly as it saw them (same status, not updated since):
 * a job that ran and finished between the sweep's read and its look at the queue has moved its batch on,
 * and must not be re-created.
 */
export async function stillAsSeen(db: Queryable, seen: readonly StaleBatch[]): Promise<Set<number>> {
  if (seen.length === 0) return new Set();
  const r = await db.query(
    `select b.id from lrs.batch b
       join jsonb_to_recordset($1::jsonb) as s(id bigint, status text, updated_at timestamptz)
         on s.id = b.id and s.status = b.status::text and s.updated_at = b.updated_at`,
    [JSON.stringify(seen.map((b) => ({ id: b.id, status: b.status, updated_at: b.updatedAt })))],
  );
  return new Set(r.rows.map((x: { id: string | number }) => Number(x.id)));
}
