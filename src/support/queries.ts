/**
 * Read-side queries for the CLI and the dashboard. Every query takes the actor and limits itself to
 * the actor's organisations in SQL. Personal data (payload, learner, candidates) is returned only for
 * organisations whose personal data the actor may see; otherwise those fields are null. The same goes
 * for stored text that may be the LRS's own words (canSeeStoredText): it is null, with a flag saying so.
 */
import {
  canSeeOrganisation,
  canSeePersonalData,
  canSeeStoredText,
  scopeOrganisations,
  type Actor,
} from './access.ts';
import type { SupportDb } from '../db/pool.ts';

export interface RequestFilter {
  status?: readonly string[];
  /** Codes; '(none)' matches requests without a code. */
  code?: readonly string[];
  kind?: readonly string[];
  /** Organisation ids (see resolveOrganisations). */
  organisationIds?: readonly number[];
  batchId?: number;
  /** Latest first; default 100, at most 10000. */
  limit?: number;
}

export interface RequestRow {
  id: number;
  organisationId: number;
  organisation: string;
  kind: string;
  mode: string;
  status: string;
  code: string | null;
  codeClass: string | null;
  attempts: number;
  misLearnerId: string | null;
  uln: string | null;
  batchId: number | null;
  lastError: string | null;
  /** True when lastError holds the LRS's text and was withheld from this actor (LRS_TEXT_HIDDEN). */
  lastErrorHidden: boolean;
  staffNote: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface CodeInfo {
  code: string;
  source: string | null;
  class: string | null;
  meaning: string | null;
  retry: string | null;
  resolution: string | null;
}

const filterSql = `($1::int[] is null or r.organisation_id = any($1::int[]))
  and ($2::text[] is null or r.status = any($2::text[]))
  and ($3::text[] is null or coalesce(r.last_code, '(none)') = any($3::text[]))
  and ($4::text[] is null or r.kind = any($4::text[]))
  and ($5::bigint is null or r.batch_id = $5)`;

function filterParams(actor: Actor, f: RequestFilter): unknown[] {
  const list = (v: readonly string[] | undefined) => (v && v.length > 0 ? [...v] : null);
  return [
    scopeOrganisations(actor, f.organisationIds),
    list(f.status),
    list(f.code),
    list(f.kind),
    f.batchId ?? null,
  ];
}

function toRequestRow(actor: Actor, r: Record<string, unknown>): RequestRow {
  const orgId = r.organisation_id as number;
  const personal = canSeePersonalData(actor, orgId);
  const lastError = (r.last_error as string | null) ?? null;
  const lastErrorShown = canSeeStoredText(actor, orgId, r.last_code as string | null);
  return {
    id: r.id as number,
    organisationId: orgId,
    organisation: r.organisation as string,
    kind: r.kind as string,
    mode: r.mode as string,
    status: r.status as string,
    code: (r.last_code as string | null) ?? null,
    codeClass: (r.code_class as string | null) ?? null,
    attempts: r.attempts as number,
    // The MIS learner id and ULN identify a person: shown only to the organisation's own staff.
    misLearnerId: personal ? (r.mis_learner_id as string) : null,
    uln: personal ? ((r.uln as string | null) ?? null) : null,
    batchId: (r.batch_id as number | null) ?? null,
    lastError: lastErrorShown ? lastError : null,
    lastErrorHidden: !lastErrorShown && lastError !== null,
    staffNote: personal ? ((r.staff_note as string | null) ?? null) : null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    completedAt: (r.completed_at as Date | null) ?? null,
  };
}

const REQUEST_COLUMNS = `r.id, r.organisation_id, coalesce(o.ukprn, o.organisation_ref) || ' ' || o.name as organisation, r.kind, r.mode,
  r.status, r.last_code, coalesce(oc.class, rc.class) as code_class, r.attempts, r.mis_learner_id, oc.uln, r.batch_id,
  r.last_error, r.staff_note, r.created_at, r.updated_at, r.completed_at`;
const REQUEST_FROM = `lrs.request r join lrs.organisation o on o.id = r.organisation_id
  left join lrs.outcome oc on oc.request_id = r.id left join lrs.response_code rc on rc.code = r.last_code`;

/** Requests matching the filter, newest first. */
export async function listRequests(
  db: SupportDb,
  actor: Actor,
  f: RequestFilter = {},
): Promise<RequestRow[]> {
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 10_000);
  const r = await db.pool.query(
    `select ${REQUEST_COLUMNS} from ${REQUEST_FROM} where ${filterSql} order by r.id desc limit $6`,
    [...filterParams(actor, f), limit],
  );
  return r.rows.map((row) => toRequestRow(actor, row));
}

/** Ids of every request matching the filter (for retry/cancel by filter), at most `max` (default 100000). */
export async function findRequestIds(
  db: SupportDb,
  actor: Actor,
  f: RequestFilter,
  max = 100_000,
): Promise<number[]> {
  const r = await db.pool.query<{ id: number }>(
    `select r.id from lrs.request r where ${filterSql} order by r.id limit $6`,
    [...filterParams(actor, f), max],
  );
  return r.rows.map((row) => row.id);
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

export interface RequestDetail {
  request: RequestRow & { requestedBy: string; priority: number; payload: unknown; queuedAt: Date | null };
  code: CodeInfo | null;
  outcome: {
    code: string;
    codeSource: string;
    class: string;
    uln: string | null;
    masterUln: string | null;
    linkedUlns: string[] | null;
    candidates: unknown;
    learner: unknown;
    failureFlags: string[] | null;
    description: string | null;
    /** True when description holds the LRS's text and was withheld from this actor (LRS_TEXT_HIDDEN). */
    descriptionHidden: boolean;
    problems: unknown;
    detail: unknown;
  } | null;
  audit: AuditRow[];
  /** False when personal fields were withheld from this actor. */
  personalData: boolean;
}

/** One request with its outcome, code explanation and every audited call, or null when not visible. */
export async function getRequestDetail(
  db: SupportDb,
  actor: Actor,
  id: number,
): Promise<RequestDetail | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const r = await db.pool.query(
    `select ${REQUEST_COLUMNS}, r.requested_by, r.priority, r.payload, r.queued_at,
            oc.code as o_code, oc.code_source as o_code_source, oc.class as o_class, oc.master_uln, oc.linked_ulns,
            oc.candidates, oc.learner, oc.failure_flags, oc.description, oc.problems, oc.detail, oc.request_id as o_id
       from ${REQUEST_FROM} where r.id = $1`,
    [id],
  );
  const row = r.rows[0] as Record<string, unknown> | undefined;
  if (!row || !canSeeOrganisation(actor, row.organisation_id as number)) return null;
  const personal = canSeePersonalData(actor, row.organisation_id as number);
  const base = toRequestRow(actor, row);
  const audit = await listAudit(db, [id], 'oldest first');
  const codeValue = (row.last_code as string | null) ?? (row.o_code as string | null);
  return {
    request: {
      ...base,
      requestedBy: row.requested_by as string,
      priority: row.priority as number,
      payload: personal ? row.payload : null,
      queuedAt: (row.queued_at as Date | null) ?? null,
    },
    code: codeValue ? await explainCode(db, codeValue) : null,
    outcome:
      row.o_id === null
        ? null
        : {
            code: row.o_code as string,
            codeSource: row.o_code_source as string,
            class: row.o_class as string,
            uln: personal ? (row.uln as string | null) : null,
            masterUln: personal ? (row.master_uln as string | null) : null,
            linkedUlns: personal ? (row.linked_ulns as string[] | null) : null,
            candidates: personal ? row.candidates : null,
            learner: personal ? row.learner : null,
            failureFlags: row.failure_flags as string[] | null,
            ...storedText(actor, row.organisation_id as number, row.o_code as string, row.description),
            problems: personal ? row.problems : null,
            detail: personal ? row.detail : null,
          },
    audit,
    personalData: personal,
  };
}

/** An outcome's description as this actor may read it (canSeeStoredText). */
function storedText(
  actor: Actor,
  organisationId: number,
  code: string,
  value: unknown,
): { description: string | null; descriptionHidden: boolean } {
  const text = (value as string | null) ?? null;
  return canSeeStoredText(actor, organisationId, code)
    ? { description: text, descriptionHidden: false }
    : { description: null, descriptionHidden: text !== null };
}

/** Every audited call and staff action of the given requests (callers check the requests are visible). */
export async function listAudit(
  db: SupportDb,
  requestIds: readonly number[],
  order: 'oldest first' | 'newest first',
): Promise<AuditRow[]> {
  const r = await db.pool.query(
    `select id, request_id as "requestId", operation, code, code_source as "codeSource", http_status as "httpStatus",
            duration_ms as "durationMs", attempt, user_name as "userName", created_at as "createdAt"
       from lrs.audit where request_id = any($1::bigint[]) order by id ${order === 'oldest first' ? 'asc' : 'desc'}`,
    [[...requestIds]],
  );
  return r.rows as AuditRow[];
}

/** What a code means and what to do. Unknown codes come back with every field but `code` null. */
export async function explainCode(db: SupportDb, code: string): Promise<CodeInfo> {
  return (await explainCodes(db, [code])).get(code) ?? unknownCode(code);
}

/** explainCode for several codes in one query, keyed by code. */
export async function explainCodes(db: SupportDb, codes: readonly string[]): Promise<Map<string, CodeInfo>> {
  const r = await db.pool.query<CodeInfo>(
    'select code, source, class, meaning, retry, resolution from lrs.response_code where code = any($1::text[])',
    [[...codes]],
  );
  const known = new Map(r.rows.map((row) => [row.code, row]));
  return new Map(codes.map((code) => [code, known.get(code) ?? unknownCode(code)]));
}

function unknownCode(code: string): CodeInfo {
  return { code, source: null, class: null, meaning: null, retry: null, resolution: null };
}

export interface ExceptionGroup extends CodeInfo {
  status: string;
  count: number;
  organisations: number;
  oldest: Date;
  newest: Date;
}

/** Open needs_action and failed requests grouped by status and code, largest groups first. */
export async function listExceptions(
  db: SupportDb,
  actor: Actor,
  f: Pick<RequestFilter, 'organisationIds'> = {},
): Promise<ExceptionGroup[]> {
  const r = await db.pool.query(
    `select r.status, coalesce(r.last_code, '(none)') as code, count(*)::int as count, count(distinct r.organisation_id)::int as organisations,
            min(r.updated_at) as oldest, max(r.updated_at) as newest,
            rc.source, rc.class, rc.meaning, rc.retry, rc.resolution
       from lrs.request r left join lrs.response_code rc on rc.code = r.last_code
      where r.status in ('needs_action', 'failed') and ($1::int[] is null or r.organisation_id = any($1::int[]))
      group by r.status, r.last_code, rc.source, rc.class, rc.meaning, rc.retry, rc.resolution
      order by count(*) desc, r.last_code`,
    [scopeOrganisations(actor, f.organisationIds)],
  );
  return r.rows.map((x) => ({ ...x }) as ExceptionGroup);
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
  /** True when lastError holds the LRS's text and was withheld from this actor (LRS_TEXT_HIDDEN). */
  lastErrorHidden: boolean;
  counters: unknown;
  createdAt: Date;
  submittedAt: Date | null;
  completedAt: Date | null;
}

/** Batches newest first. */
export async function listBatches(
  db: SupportDb,
  actor: Actor,
  f: { status?: readonly string[]; organisationIds?: readonly number[]; limit?: number } = {},
): Promise<BatchRow[]> {
  const r = await db.pool.query(
    `select b.id, b.organisation_id as "organisationId", coalesce(o.ukprn, o.organisation_ref) || ' ' || o.name as organisation,
            b.kind, b.job_type as "jobType", b.status, b.lrs_job_id as "lrsJobId", b.record_count as "recordCount", b.polls,
            b.last_code as "lastCode", b.last_error as "lastError", b.counters, b.created_at as "createdAt",
            b.submitted_at as "submittedAt", b.completed_at as "completedAt"
       from lrs.batch b join lrs.organisation o on o.id = b.organisation_id
      where ($1::int[] is null or b.organisation_id = any($1::int[])) and ($2::text[] is null or b.status = any($2::text[]))
      order by b.id desc limit $3`,
    [
      scopeOrganisations(actor, f.organisationIds),
      f.status?.length ? [...f.status] : null,
      Math.min(Math.max(f.limit ?? 100, 1), 10_000),
    ],
  );
  // A batch's error can quote any of its learners: the LRS's text follows the payload's rule.
  return (r.rows as Omit<BatchRow, 'lastErrorHidden'>[]).map((b) => {
    const shown = canSeeStoredText(actor, b.organisationId, b.lastCode);
    return {
      ...b,
      lastError: shown ? b.lastError : null,
      lastErrorHidden: !shown && b.lastError !== null,
    };
  });
}

export interface LearnerFilter extends Pick<RequestFilter, 'organisationIds' | 'limit'> {
  /** What `key` is compared with: the MIS learner id and every ULN (default), or the MIS learner id alone. */
  match?: 'id or uln' | 'mis learner id';
}

/**
 * Every request for one learner, newest first: `key` is an MIS learner id or a ULN (matched against
 * the payload and outcomes). Only organisations whose personal data the actor may see are searched.
 */
export async function getLearnerHistory(
  db: SupportDb,
  actor: Actor,
  key: string,
  f: LearnerFilter = {},
): Promise<RequestRow[]> {
  const scope = scopeOrganisations(actor, f.organisationIds);
  const personalScope =
    actor.personalDataOrganisationIds === null
      ? scope
      : (scope ?? actor.personalDataOrganisationIds).filter((id) =>
          actor.personalDataOrganisationIds?.includes(id),
        );
  const r = await db.pool.query(
    `select ${REQUEST_COLUMNS} from ${REQUEST_FROM}
      where ($1::int[] is null or r.organisation_id = any($1::int[]))
        and (r.mis_learner_id = $2 or ($4 and (r.payload ->> 'uln' = $2 or oc.uln = $2 or oc.master_uln = $2 or $2 = any(oc.linked_ulns))))
      order by r.id desc limit $3`,
    [
      personalScope ? [...personalScope] : null,
      key,
      Math.min(Math.max(f.limit ?? 200, 1), 10_000),
      f.match !== 'mis learner id',
    ],
  );
  return r.rows.map((row) => toRequestRow(actor, row));
}

export interface OrganisationRow {
  id: number;
  name: string;
  ukprn: string | null;
  organisationRef: string | null;
}

/** Organisations visible to the actor. */
export async function listOrganisations(db: SupportDb, actor: Actor): Promise<OrganisationRow[]> {
  const r = await db.pool.query(
    `select id, name, ukprn, organisation_ref as "organisationRef" from lrs.organisation
      where $1::int[] is null or id = any($1::int[]) order by name`,
    [actor.organisationIds === null ? null : [...actor.organisationIds]],
  );
  return r.rows as OrganisationRow[];
}

/**
 * Turns organisation references given by a person (id, UKPRN or organisation reference) into ids.
 * Throws naming the ones that match nothing.
 */
export async function resolveOrganisations(db: SupportDb, refs: readonly string[]): Promise<number[]> {
  if (refs.length === 0) return [];
  const r = await db.pool.query<{ id: number; ukprn: string | null; organisation_ref: string | null }>(
    `select id, ukprn, organisation_ref from lrs.organisation
      where ukprn = any($1::text[]) or organisation_ref = any($1::text[]) or id::text = any($1::text[])`,
    [[...refs]],
  );
  const missing = refs.filter(
    (ref) => !r.rows.some((o) => String(o.id) === ref || o.ukprn === ref || o.organisation_ref === ref),
  );
  if (missing.length > 0)
    throw new Error(
      `unknown organisation(s): ${missing.join(', ')} (give an id, UKPRN or organisation reference)`,
    );
  return [...new Set(r.rows.map((o) => o.id))];
}
