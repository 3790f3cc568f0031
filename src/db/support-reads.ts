/**
 * The SQL of what support staff read, on the dashboard and in the CLI: requests, their outcome and audit,
 * exceptions, batches, learners, organisations, the overview's figures. Each statement is limited to an
 * organisation scope (null = every organisation) that the caller works out from the actor's grants;
 * who may see which column of what comes back is decided in src/support/ (queries.ts, access.ts).
 */
import type { Queryable } from './transaction.ts';
import { OPEN_STATUSES } from '../../db/schema.ts';
import { sqlList } from './sql-list.ts';

/** The organisations a read is limited to; null = every organisation. */
export type Scope = readonly number[] | null;

const scopeParam = (scope: Scope) => (scope === null ? null : [...scope]);
const listParam = (v: readonly string[] | undefined) => (v && v.length > 0 ? [...v] : null);

/** The columns of a request row as the support reads return them (snake_case, as selected). */
const REQUEST_COLUMNS = `r.id, r.organisation_id, coalesce(o.ukprn, o.organisation_ref) || ' ' || o.name as organisation, r.kind, r.mode,
  r.status, r.last_code, coalesce(oc.class, rc.class) as code_class, r.attempts, r.mis_learner_id, oc.uln, r.batch_id,
  r.last_error, r.staff_note, r.created_at, r.updated_at, r.completed_at, rc.meaning as code_meaning,
  nullif(concat_ws(' ', r.payload ->> 'givenName', r.payload ->> 'familyName'), '') as learner_name`;
const REQUEST_FROM = `lrs.request r join lrs.organisation o on o.id = r.organisation_id
  left join lrs.outcome oc on oc.request_id = r.id left join lrs.response_code rc on rc.code = r.last_code`;

/** Which requests a list or a bulk action is about. */
export interface RequestSelection {
  scope: Scope;
  status?: readonly string[] | undefined;
  /** Codes; '(none)' matches requests without a code. */
  code?: readonly string[] | undefined;
  kind?: readonly string[] | undefined;
  batchId?: number | undefined;
  /** Only requests created before this moment (an age filter: "older than 24 hours"). */
  createdBefore?: Date | undefined;
  /**
   * A learner search: `text` is compared with the MIS learner id and every ULN of the request (payload
   * and outcome), and, when it is not a number, matched against the learner's name (case-insensitive,
   * anywhere in "given family"). Only within `scope`: the organisations whose personal data the
   * searcher may see, since finding a request by a person's details says that the person is there.
   */
  search?: { text: string; scope: Scope } | undefined;
}

const SELECTION_SQL = `($1::int[] is null or r.organisation_id = any($1::int[]))
  and ($2::text[] is null or r.status = any($2::text[]))
  and ($3::text[] is null or coalesce(r.last_code, '(none)') = any($3::text[]))
  and ($4::text[] is null or r.kind = any($4::text[]))
  and ($5::bigint is null or r.batch_id = $5)
  and ($6::timestamptz is null or r.created_at < $6)
  and ($7::text is null or (($8::int[] is null or r.organisation_id = any($8::int[])) and (
        r.mis_learner_id = $7 or r.payload ->> 'uln' = $7
        or exists (select 1 from lrs.outcome x where x.request_id = r.id and (x.uln = $7 or x.master_uln = $7))
        or ($9::text is not null
            and lower(concat_ws(' ', r.payload ->> 'givenName', r.payload ->> 'familyName')) like $9 escape '\\'))))`;
/** How many parameters SELECTION_SQL takes; statements number theirs after it. */
const SELECTION_PARAMS = 9;

function namePattern(text: string): string | null {
  if (/^\d+$/.test(text)) return null;
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function selectionParams(s: RequestSelection): unknown[] {
  const search = s.search && s.search.text.trim() !== '' ? s.search : undefined;
  const text = search?.text.trim();
  return [
    scopeParam(s.scope),
    listParam(s.status),
    listParam(s.code),
    listParam(s.kind),
    s.batchId ?? null,
    s.createdBefore ?? null,
    text ?? null,
    search ? scopeParam(search.scope) : null,
    text === undefined ? null : namePattern(text),
  ];
}

/** A page of a request list: which way it is sorted, and the id it continues from (keyset paging). */
export interface RequestPage {
  order: 'newest first' | 'oldest first';
  /** Rows after this id in the list's order (the next page), or before it (`backwards`: the page before). */
  from?: { id: number; backwards: boolean } | undefined;
  limit: number;
}

/**
 * Requests of the selection in the page's order, at most `limit`. Paged by id (the primary key), so a
 * page costs the same however deep into a large table it is, and rows added meanwhile do not shift it.
 */
export async function selectRequests(
  db: Queryable,
  s: RequestSelection,
  page: RequestPage,
): Promise<Record<string, unknown>[]> {
  const descending = (page.order === 'newest first') !== (page.from?.backwards ?? false);
  const n = SELECTION_PARAMS;
  const r = await db.query(
    `select ${REQUEST_COLUMNS} from ${REQUEST_FROM} where ${SELECTION_SQL}
        and ($${n + 1}::bigint is null or r.id ${descending ? '<' : '>'} $${n + 1})
      order by r.id ${descending ? 'desc' : 'asc'} limit $${n + 2}`,
    [...selectionParams(s), page.from?.id ?? null, page.limit],
  );
  const rows = r.rows as Record<string, unknown>[];
  return page.from?.backwards ? rows.reverse() : rows;
}

/** Ids of the selection's requests, oldest first, at most `max`. */
export async function selectRequestIds(db: Queryable, s: RequestSelection, max: number): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `select r.id from lrs.request r where ${SELECTION_SQL} order by r.id limit $${SELECTION_PARAMS + 1}`,
    [...selectionParams(s), max],
  );
  return r.rows.map((row) => row.id);
}

/** One request with its outcome's columns (o_… ; o_id null when there is no outcome), any organisation. */
export async function selectRequestDetail(
  db: Queryable,
  id: number,
): Promise<Record<string, unknown> | undefined> {
  const r = await db.query(
    `select ${REQUEST_COLUMNS}, r.requested_by, r.priority, r.payload, r.queued_at,
            oc.code as o_code, oc.code_source as o_code_source, oc.class as o_class, oc.master_uln, oc.linked_ulns,
            oc.candidates, oc.learner, oc.failure_flags, oc.description, oc.problems, oc.detail, oc.request_id as o_id
       from ${REQUEST_FROM} where r.id = $1`,
    [id],
  );
  return r.rows[0] as Record<string, unknown> | undefined;
}

export interface AuditRow {
  id: number;
  requestId: number | null;
  operation: string;
  code: string;
  codeSource: string;
  httpStatus: number | null;
  durationMs: number;
  attempt: number | null;
  userName: string;
  createdAt: Date;
}

/** Every audited call and staff action of the given requests (callers check the requests are visible). */
export async function listAudit(
  db: Queryable,
  requestIds: readonly number[],
  order: 'oldest first' | 'newest first',
): Promise<AuditRow[]> {
  const r = await db.query(
    `select id, request_id as "requestId", operation, code, code_source as "codeSource", http_status as "httpStatus",
            duration_ms as "durationMs", attempt, user_name as "userName", created_at as "createdAt"
       from lrs.audit where request_id = any($1::bigint[]) order by id ${order === 'oldest first' ? 'asc' : 'desc'}`,
    [[...requestIds]],
  );
  return r.rows as AuditRow[];
}

export interface CodeInfo {
  code: string;
  source: string | null;
  class: string | null;
  meaning: string | null;
  retry: string | null;
  resolution: string | null;
}

/** The rows of lrs.response_code for these codes (unknown codes have none). */
export async function selectResponseCodes(db: Queryable, codes: readonly string[]): Promise<CodeInfo[]> {
  const r = await db.query<CodeInfo>(
    'select code, source, class, meaning, retry, resolution from lrs.response_code where code = any($1::text[])',
    [[...codes]],
  );
  return r.rows;
}

export interface ExceptionGroup extends CodeInfo {
  status: string;
  count: number;
  organisations: number;
  oldest: Date;
  newest: Date;
}

/**
 * Requests a person must act on (needs_action, failed, rejected) grouped by status and code, most urgent
 * first (configuration, failed, needs action, rejected), then largest.
 */
export async function selectExceptionGroups(db: Queryable, scope: Scope): Promise<ExceptionGroup[]> {
  const r = await db.query(
    `select r.status, coalesce(r.last_code, '(none)') as code, count(*)::int as count, count(distinct r.organisation_id)::int as organisations,
            min(r.updated_at) as oldest, max(r.updated_at) as newest,
            rc.source, rc.class, rc.meaning, rc.retry, rc.resolution
       from lrs.request r left join lrs.response_code rc on rc.code = r.last_code
      where r.status in ('needs_action', 'failed', 'rejected') and ($1::int[] is null or r.organisation_id = any($1::int[]))
      group by r.status, r.last_code, rc.source, rc.class, rc.meaning, rc.retry, rc.resolution
      -- Most urgent first: a configuration fault stops every request of its organisation, failed work ran
      -- out of retries, then what needs a person's decision, then what the MIS must correct.
      order by case when rc.class = 'config_error' then 0 when r.status = 'failed' then 1
                    when r.status = 'needs_action' then 2 else 3 end,
               count(*) desc, r.last_code`,
    [scopeParam(scope)],
  );
  return r.rows as ExceptionGroup[];
}

export interface BatchRow {
  id: number;
  organisationId: number;
  organisation: string;
  kind: string;
  jobType: string | null;
  status: string;
  lrsJobId: string | null;
  recordCount: number;
  polls: number;
  lastCode: string | null;
  lastError: string | null;
  counters: unknown;
  createdAt: Date;
  submittedAt: Date | null;
  completedAt: Date | null;
}

/** Batches newest first, at most `limit`. */
export async function selectBatches(
  db: Queryable,
  scope: Scope,
  status: readonly string[] | undefined,
  limit: number,
): Promise<BatchRow[]> {
  const r = await db.query(
    `select b.id, b.organisation_id as "organisationId", coalesce(o.ukprn, o.organisation_ref) || ' ' || o.name as organisation,
            b.kind, b.job_type as "jobType", b.status, b.lrs_job_id as "lrsJobId", b.record_count as "recordCount", b.polls,
            b.last_code as "lastCode", b.last_error as "lastError", b.counters, b.created_at as "createdAt",
            b.submitted_at as "submittedAt", b.completed_at as "completedAt"
       from lrs.batch b join lrs.organisation o on o.id = b.organisation_id
      where ($1::int[] is null or b.organisation_id = any($1::int[])) and ($2::text[] is null or b.status = any($2::text[]))
      order by b.id desc limit $3`,
    [scopeParam(scope), listParam(status), limit],
  );
  return r.rows as BatchRow[];
}

/**
 * Every request for one learner, newest first, at most `limit`: `key` is compared with the MIS learner
 * id, and with every ULN (the payload's and the outcome's) when `matchUln`.
 */
export async function selectLearnerRequests(
  db: Queryable,
  scope: Scope,
  key: string,
  o: { limit: number; matchUln: boolean },
): Promise<Record<string, unknown>[]> {
  const r = await db.query(
    `select ${REQUEST_COLUMNS} from ${REQUEST_FROM}
      where ($1::int[] is null or r.organisation_id = any($1::int[]))
        and (r.mis_learner_id = $2 or ($4 and (r.payload ->> 'uln' = $2 or oc.uln = $2 or oc.master_uln = $2 or $2 = any(oc.linked_ulns))))
      order by r.id desc limit $3`,
    [scopeParam(scope), key, o.limit, o.matchUln],
  );
  return r.rows as Record<string, unknown>[];
}

/** For a learner's page: each request's outcome code, ULNs and candidates, and the name it was sent with. */
export async function selectLearnerRequestExtras(
  db: Queryable,
  requestIds: readonly number[],
): Promise<Record<string, unknown>[]> {
  const r = await db.query(
    `select r.id, oc.code, oc.master_uln, oc.linked_ulns, oc.candidates,
            nullif(concat_ws(' ', r.payload ->> 'givenName', r.payload ->> 'familyName'), '') as name
       from lrs.request r left join lrs.outcome oc on oc.request_id = r.id where r.id = any($1::bigint[])`,
    [[...requestIds]],
  );
  return r.rows as Record<string, unknown>[];
}

/** The learner's row of lrs.learner_status (what the MIS reads), if any. */
export async function selectLearnerStatus(
  db: Queryable,
  organisationId: number,
  misLearnerId: string,
): Promise<Record<string, unknown> | undefined> {
  const r = await db.query(
    `select request_id, kind, status, code, code_meaning, resolution, uln, request_uln, master_uln, updated_at
       from lrs.learner_status where organisation_id = $1 and mis_learner_id = $2`,
    [organisationId, misLearnerId],
  );
  return r.rows[0] as Record<string, unknown> | undefined;
}

/** How many learning events are stored for the learner. */
export async function countLearningEvents(
  db: Queryable,
  organisationId: number,
  misLearnerId: string,
): Promise<number> {
  const r = await db.query<{ n: number }>(
    'select count(*)::int as n from lrs.learning_event where organisation_id = $1 and mis_learner_id = $2',
    [organisationId, misLearnerId],
  );
  return r.rows[0]?.n ?? 0;
}

export interface OrganisationRow {
  id: number;
  name: string;
  ukprn: string | null;
  organisationRef: string | null;
}

/** Organisations of the scope, by name. */
export async function selectOrganisations(db: Queryable, scope: Scope): Promise<OrganisationRow[]> {
  const r = await db.query(
    `select id, name, ukprn, organisation_ref as "organisationRef" from lrs.organisation
      where $1::int[] is null or id = any($1::int[]) order by name`,
    [scopeParam(scope)],
  );
  return r.rows as OrganisationRow[];
}

/** Organisations whose id, UKPRN or organisation reference is among `refs`. */
export async function selectOrganisationsByRef(
  db: Queryable,
  refs: readonly string[],
): Promise<{ id: number; ukprn: string | null; organisation_ref: string | null }[]> {
  const r = await db.query<{ id: number; ukprn: string | null; organisation_ref: string | null }>(
    `select id, ukprn, organisation_ref from lrs.organisation
      where ukprn = any($1::text[]) or organisation_ref = any($1::text[]) or id::text = any($1::text[])`,
    [[...refs]],
  );
  return r.rows;
}

export interface Overview {
  /** Open requests and the exceptions (needs action, failed, rejected) by status, whatever their age. */
  byStatus: { status: string; count: number }[];
  openByCode: { status: string; code: string; meaning: string | null; count: number }[];
  /** Requests finished in the last hour, by status. */
  lastHour: { status: string; count: number }[];
  /** LRS calls in the last hour, by operation (relay.* support actions excluded). */
  latency: { operation: string; calls: number; avgMs: number; p95Ms: number; maxMs: number }[];
  /** Requests finished per bucket of the chosen range (bucket = its index from the range's start), by status. */
  finishedPerBucket: { bucket: number; status: string; count: number }[];
  /** 95th percentile LRS call time per bucket and operation. */
  latencyPerBucket: { bucket: number; operation: string; p95Ms: number }[];
  /**
   * The exceptions open at some time in the range, by the bucket each opened in (-1: before the range),
   * the bucket it closed in (null: still open), status and code.
   */
  exceptionsOpened: OpenedExceptions[];
}

export interface OpenedExceptions {
  /** The bucket the exception opened in; -1 before the range. */
  bucket: number;
  /** The bucket it closed in (it counts as open up to the one before); null or absent while it is open. */
  closedBucket?: number | null;
  status: string;
  code: string;
  count: number;
}

/** The buckets of the overview's charts: `count` of `bucketS` seconds from `startS` (epoch seconds). */
export interface Buckets {
  startS: number;
  bucketS: number;
  count: number;
}

/** The statuses of the exceptions: what a person must act on (the partial index request_problem_idx). */
const PROBLEM_STATUSES = ['needs_action', 'rejected', 'failed'] as const;
/** Open work and exceptions: each side read through its own partial index, never the finished rows. */
const UNFINISHED = `(r.status in ${sqlList(OPEN_STATUSES)} or r.status in ${sqlList(PROBLEM_STATUSES)})`;

/**
 * The exceptions (needs action, failed, rejected) open at any time in the range, from their periods in
 * lrs.exception_span (written by a trigger on every status change): by the bucket each opened in (-1
 * before the range), the bucket it closed in (null while open), status and code. Bounded by the periods
 * open now (exception_span_open_idx) and those closed within the range (exception_span_closed_idx): never
 * the months of history before it.
 */
export async function selectOpenedExceptions(
  db: Queryable,
  scope: Scope,
  b: Buckets,
): Promise<OpenedExceptions[]> {
  const r = await db.query<OpenedExceptions>(
    `select greatest(-1, floor((extract(epoch from s.opened_at) - $2) / $3))::int as bucket,
            floor((extract(epoch from s.closed_at) - $2) / $3)::int as "closedBucket",
            s.status, coalesce(s.code, '(none)') as code, count(*)::int as count
       from (select opened_at, closed_at, status, code from lrs.exception_span
              where closed_at is null and ($1::int[] is null or organisation_id = any($1::int[]))
             union all
             select opened_at, closed_at, status, code from lrs.exception_span
              where closed_at >= to_timestamp($2) and ($1::int[] is null or organisation_id = any($1::int[]))) s
      group by 1, 2, 3, 4`,
    [scopeParam(scope), b.startS, b.bucketS],
  );
  return r.rows;
}

/**
 * The overview's figures for the scope over the buckets given. Every statement is bounded: open work and
 * exceptions through their partial indexes, finished requests by completed_at through request_purge_idx
 * (a request purged by retention inside the range is no longer counted), LRS calls by organisation and
 * time through audit_org_time_idx.
 */
export async function selectOverview(db: Queryable, scope: Scope, b: Buckets): Promise<Overview> {
  const scoped = scopeParam(scope);
  // The audit is read organisation by organisation, each through audit_org_time_idx (organisation, time):
  // a time range over every organisation at once would read the whole table. `offset 0` keeps each
  // lateral subquery a subquery (not flattened into one join the planner may scan by time alone).
  const orgs = `(select o.id from lrs.organisation o where $1::int[] is null or o.id = any($1::int[]))`;
  const [byStatus, openByCode, lastHour, latency, finished, latencyPer, exceptionsOpened] = await Promise.all(
    [
      db.query(
        `select r.status, count(*)::int as count from lrs.request r
          where ${UNFINISHED} and ($1::int[] is null or r.organisation_id = any($1::int[]))
          group by r.status order by count(*) desc`,
        [scoped],
      ),
      db.query(
        `select r.status, coalesce(r.last_code, '(none)') as code, rc.meaning, count(*)::int as count
           from lrs.request r left join lrs.response_code rc on rc.code = r.last_code
          where ${UNFINISHED} and ($1::int[] is null or r.organisation_id = any($1::int[]))
          group by r.status, r.last_code, rc.meaning order by count(*) desc limit 30`,
        [scoped],
      ),
      db.query(
        `select status, count(*)::int as count from lrs.request
          where completed_at > now() - interval '1 hour' and purged_at is null
            and ($1::int[] is null or organisation_id = any($1::int[]))
          group by status order by count(*) desc`,
        [scoped],
      ),
      db.query(
        `select operation, count(*)::int as calls, round(avg(duration_ms))::int as "avgMs",
                round(percentile_cont(0.95) within group (order by duration_ms))::int as "p95Ms", max(duration_ms)::int as "maxMs"
           from ${orgs} o cross join lateral (
             select a.operation, a.duration_ms from lrs.audit a
              where a.organisation_id = o.id and a.created_at > now() - interval '1 hour' and a.operation not like 'relay.%' offset 0) a
          group by operation order by operation`,
        [scoped],
      ),
      db.query(
        `select floor((extract(epoch from completed_at) - $2) / $3)::int as bucket, status, count(*)::int as count
           from lrs.request
          where completed_at >= to_timestamp($2) and purged_at is null
            and ($1::int[] is null or organisation_id = any($1::int[]))
          group by 1, 2`,
        [scoped, b.startS, b.bucketS],
      ),
      db.query(
        `select floor((extract(epoch from a.created_at) - $2) / $3)::int as bucket, a.operation,
                round(percentile_cont(0.95) within group (order by a.duration_ms))::int as "p95Ms"
           from ${orgs} o cross join lateral (
             select a.created_at, a.operation, a.duration_ms from lrs.audit a
              where a.organisation_id = o.id and a.created_at >= to_timestamp($2) and a.operation not like 'relay.%' offset 0) a
          group by 1, 2`,
        [scoped, b.startS, b.bucketS],
      ),
      selectOpenedExceptions(db, scope, b),
    ],
  );
  const inRange = <R extends { bucket: number }>(rows: R[]) =>
    rows.filter((r) => r.bucket >= 0 && r.bucket < b.count);
  return {
    byStatus: byStatus.rows,
    openByCode: openByCode.rows,
    lastHour: lastHour.rows,
    latency: latency.rows,
    finishedPerBucket: inRange(finished.rows as Overview['finishedPerBucket']),
    latencyPerBucket: inRange(latencyPer.rows as Overview['latencyPerBucket']),
    exceptionsOpened: exceptionsOpened.filter((r) => r.bucket < b.count),
  };
}

export interface OrganisationHealthRow {
  id: number;
  name: string;
  ukprn: string | null;
  organisationRef: string | null;
  isDisabled: boolean;
  disabledReason: string | null;
  hasCertificate: boolean;
  certificateNotAfter: Date | null;
  /** The last LRS call that got an answer (any code the LRS gives about a learner, not a fault). */
  lastAnswerAt: Date | null;
  callsLastHour: number;
  /** Calls in the last hour that ended in a fault, a configuration error or an unknown code. */
  errorsLastHour: number;
  open: number;
  failed: number;
  /** The latest request that failed because the organisation could not be used (ORGANISATION_UNAVAILABLE). */
  lastUnavailableAt: Date | null;
  /** The organisation's latest LRS call (answered or not): when, and its code. */
  lastCallAt: Date | null;
  lastCallCode: string | null;
}

/** Each organisation of the scope with what says whether it can send, by name. */
export async function selectOrganisationHealth(
  db: Queryable,
  scope: Scope,
): Promise<OrganisationHealthRow[]> {
  const r = await db.query(
    `select o.id, o.name, o.ukprn, o.organisation_ref as "organisationRef", o.is_disabled as "isDisabled",
            o.disabled_reason as "disabledReason", o.certificate_ref is not null as "hasCertificate",
            o.certificate_not_after as "certificateNotAfter",
            (select a.created_at from lrs.audit a
              where a.organisation_id = o.id and a.operation not like 'relay.%'
                and exists (select 1 from lrs.response_code rc where rc.code = a.code
                             and rc.class in ('success', 'outcome', 'needs_action', 'data_error'))
              order by a.created_at desc limit 1) as "lastAnswerAt",
            coalesce(h.calls, 0)::int as "callsLastHour", coalesce(h.errors, 0)::int as "errorsLastHour",
            (select count(*) from lrs.request r
              where r.organisation_id = o.id and r.status = any($2::text[]))::int as open,
            (select count(*) from lrs.request r where r.organisation_id = o.id and r.status = 'failed')::int as failed,
            (select max(r.updated_at) from lrs.request r
              where r.organisation_id = o.id and r.status = 'failed' and r.last_code = 'ORGANISATION_UNAVAILABLE') as "lastUnavailableAt",
            lc.created_at as "lastCallAt", lc.code as "lastCallCode"
       from lrs.organisation o
       left join lateral (
         select a.created_at, a.code from lrs.audit a
          where a.organisation_id = o.id and a.operation not like 'relay.%'
          order by a.created_at desc limit 1
       ) lc on true
       left join lateral (
         select count(*) as calls,
                count(*) filter (where rc.class is null or rc.class in ('retryable', 'config_error', 'unknown')) as errors
           from lrs.audit a left join lrs.response_code rc on rc.code = a.code
          where a.organisation_id = o.id and a.created_at > now() - interval '1 hour' and a.operation not like 'relay.%'
       ) h on true
      where $1::int[] is null or o.id = any($1::int[])
      order by o.name`,
    [scopeParam(scope), [...OPEN_STATUSES]],
  );
  return r.rows as OrganisationHealthRow[];
}
