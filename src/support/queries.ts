/**
 * Read-side queries for the CLI and the dashboard. Every query takes the actor and limits itself to
 * the actor's organisations in SQL (the statements are in src/db/support-reads.ts). Personal data
 * (payload, learner, candidates) is returned only for organisations whose personal data the actor may
 * see; otherwise those fields are null. The same goes for stored text that may be the LRS's own words
 * (canSeeStoredText): it is null, with a flag saying so.
 */
import {
  canSeeOrganisation,
  canSeePersonalData,
  canSeeStoredText,
  scopeOrganisations,
  type Actor,
} from './access.ts';
import type { SupportDb } from '../db/pool.ts';
import { readFieldProblems, type FieldProblemRow } from './field-problems.ts';
import {
  listAudit,
  selectBatches,
  selectExceptionGroups,
  selectLearnerRequests,
  selectOrganisations,
  selectOrganisationsByRef,
  selectRequestDetail,
  selectRequestIds,
  selectRequests,
  selectResponseCodes,
  type AuditRow,
  type BatchRow as StoredBatchRow,
  type CodeInfo,
  type ExceptionGroup,
  type OrganisationRow,
  type RequestPage,
  type RequestSelection,
} from '../db/support-reads.ts';

export {
  type AuditRow,
  type CodeInfo,
  type ExceptionGroup,
  type OrganisationRow,
} from '../db/support-reads.ts';

export interface RequestFilter {
  status?: readonly string[];
  /** Codes; '(none)' matches requests without a code. */
  code?: readonly string[];
  kind?: readonly string[];
  /** Organisation ids (see resolveOrganisations). */
  organisationIds?: readonly number[];
  batchId?: number;
  /** Only requests created before this moment. */
  createdBefore?: Date;
  /**
   * A ULN, MIS learner id or part of a learner's name; searched only among the organisations whose
   * personal data the actor may see.
   */
  search?: string;
  /** Default 100, at most 10000. */
  limit?: number;
  /** Default newest first. */
  order?: RequestPage['order'];
  /** Keyset paging: continue after (or, backwards, before) this request id. */
  from?: RequestPage['from'];
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
  /** The learner's name as the request gives it; null when not given or withheld from this actor. */
  learnerName: string | null;
  /** What the code means (the catalogue's words); null when there is no code or it is not catalogued. */
  codeMeaning: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

/** The part of `scope` whose personal data the actor may see (null = every organisation). */
function personalScope(actor: Actor, scope: readonly number[] | null): number[] | null {
  const personal = actor.personalDataOrganisationIds;
  if (personal === null) return scope === null ? null : [...scope];
  return (scope ?? personal).filter((id) => personal.includes(id));
}

function selection(actor: Actor, f: RequestFilter): RequestSelection {
  const scope = scopeOrganisations(actor, f.organisationIds);
  return {
    scope,
    status: f.status,
    code: f.code,
    kind: f.kind,
    batchId: f.batchId,
    createdBefore: f.createdBefore,
    search: f.search ? { text: f.search.slice(0, 100), scope: personalScope(actor, scope) } : undefined,
  };
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
    learnerName: personal ? ((r.learner_name as string | null) ?? null) : null,
    codeMeaning: (r.code_meaning as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    completedAt: (r.completed_at as Date | null) ?? null,
  };
}

/** Requests matching the filter, newest first unless `order` says otherwise, one page at a time. */
export async function listRequests(
  db: SupportDb,
  actor: Actor,
  f: RequestFilter = {},
): Promise<RequestRow[]> {
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 10_000);
  const rows = await selectRequests(db.pool, selection(actor, f), {
    order: f.order ?? 'newest first',
    from: f.from,
    limit,
  });
  return rows.map((row) => toRequestRow(actor, row));
}

/** Ids of every request matching the filter (for retry/cancel by filter), at most `max` (default 100000). */
export async function findRequestIds(
  db: SupportDb,
  actor: Actor,
  f: RequestFilter,
  max = 100_000,
): Promise<number[]> {
  return selectRequestIds(db.pool, selection(actor, f), max);
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
    /** The field problems as a table: field, rule and (for staff who may see personal data) value. */
    fieldProblems: FieldProblemRow[];
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
  const row = await selectRequestDetail(db.pool, id);
  if (!row || !canSeeOrganisation(actor, row.organisation_id as number)) return null;
  const personal = canSeePersonalData(actor, row.organisation_id as number);
  const base = toRequestRow(actor, row);
  const audit = await listAudit(db.pool, [id], 'oldest first');
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
            fieldProblems: readFieldProblems({
              problems: row.problems,
              payload: row.payload,
              personalData: personal,
            }),
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

/** What a code means and what to do. Unknown codes come back with every field but `code` null. */
export async function explainCode(db: SupportDb, code: string): Promise<CodeInfo> {
  return (await explainCodes(db, [code])).get(code) ?? unknownCode(code);
}

/** explainCode for several codes in one query, keyed by code. */
export async function explainCodes(db: SupportDb, codes: readonly string[]): Promise<Map<string, CodeInfo>> {
  const known = new Map((await selectResponseCodes(db.pool, codes)).map((row) => [row.code, row]));
  return new Map(codes.map((code) => [code, known.get(code) ?? unknownCode(code)]));
}

function unknownCode(code: string): CodeInfo {
  return { code, source: null, class: null, meaning: null, retry: null, resolution: null };
}

/** Requests a person must act on, grouped by status and code, most urgent first (selectExceptionGroups). */
export async function listExceptions(
  db: SupportDb,
  actor: Actor,
  f: Pick<RequestFilter, 'organisationIds'> = {},
): Promise<ExceptionGroup[]> {
  return selectExceptionGroups(db.pool, scopeOrganisations(actor, f.organisationIds));
}

export interface BatchRow extends StoredBatchRow {
  /** True when lastError holds the LRS's text and was withheld from this actor (LRS_TEXT_HIDDEN). */
  lastErrorHidden: boolean;
}

/** Batches newest first. */
export async function listBatches(
  db: SupportDb,
  actor: Actor,
  f: { status?: readonly string[]; organisationIds?: readonly number[]; limit?: number } = {},
): Promise<BatchRow[]> {
  const rows = await selectBatches(
    db.pool,
    scopeOrganisations(actor, f.organisationIds),
    f.status,
    Math.min(Math.max(f.limit ?? 100, 1), 10_000),
  );
  // A batch's error can quote any of its learners: the LRS's text follows the payload's rule.
  return rows.map((b) => {
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
  const scope = personalScope(actor, scopeOrganisations(actor, f.organisationIds));
  const rows = await selectLearnerRequests(db.pool, scope, key, {
    limit: Math.min(Math.max(f.limit ?? 200, 1), 10_000),
    matchUln: f.match !== 'mis learner id',
  });
  return rows.map((row) => toRequestRow(actor, row));
}

/** Organisations visible to the actor. */
export async function listOrganisations(db: SupportDb, actor: Actor): Promise<OrganisationRow[]> {
  return selectOrganisations(db.pool, actor.organisationIds);
}

/**
 * Turns organisation references given by a person (id, UKPRN or organisation reference) into ids.
 * Throws naming the ones that match nothing.
 */
export async function resolveOrganisations(db: SupportDb, refs: readonly string[]): Promise<number[]> {
  if (refs.length === 0) return [];
  const found = await selectOrganisationsByRef(db.pool, refs);
  const missing = refs.filter(
    (ref) => !found.some((o) => String(o.id) === ref || o.ukprn === ref || o.organisation_ref === ref),
  );
  if (missing.length > 0)
    throw new Error(
      `unknown organisation(s): ${missing.join(', ')} (give an id, UKPRN or organisation reference)`,
    );
  return [...new Set(found.map((o) => o.id))];
}
