/**
 * One learner of one organisation for the dashboard: the current state from lrs.learner_status, every
 * request (the CLI's getLearnerHistory, by MIS learner id only) with its code explained, outcome ULNs
 * and possible-match candidates, the audited calls of those requests and the stored learning events.
 * Only organisations whose personal data the actor may see are searched, so a learner elsewhere is
 * null exactly like one that does not exist.
 */
import type { Actor } from './access.ts';
import type { SupportDb } from '../db/pool.ts';
import { readCandidates } from './match.ts';
import { explainCodes, getLearnerHistory, type CodeInfo, type RequestRow } from './queries.ts';
import {
  countLearningEvents,
  listAudit,
  selectLearnerRequestExtras,
  selectLearnerStatus,
  type AuditRow,
} from '../db/support-reads.ts';

/** Requests shown per learner, newest first (the CLI's default too). */
export const LEARNER_REQUEST_LIMIT = 200;

export interface LearnerState {
  requestId: number;
  kind: string;
  status: string;
  code: string | null;
  codeMeaning: string | null;
  resolution: string | null;
  /** The most recent ULN the LRS confirmed or issued for this learner (master ULN when there is one). */
  uln: string | null;
  /** The latest request's own ULN and master ULN. */
  requestUln: string | null;
  masterUln: string | null;
  updatedAt: Date;
}

export interface LearnerRequest extends RequestRow {
  /** The request's code (or its outcome's, after a retry cleared the code) with meaning and resolution. */
  codeInfo: CodeInfo | null;
  masterUln: string | null;
  linkedUlns: string[] | null;
  /** Possible-match candidates, only while the request needs action. */
  candidates: Record<string, unknown>[];
}

export interface LearnerDetail {
  organisationId: number;
  organisation: string;
  misLearnerId: string;
  /** The name the MIS sent with its latest request, when it sent one. */
  name: string | null;
  state: LearnerState | null;
  requests: LearnerRequest[];
  /** Whether more requests exist than were read (LEARNER_REQUEST_LIMIT). */
  isTruncated: boolean;
  /** Audited LRS calls and staff actions of the requests shown, newest first. */
  audit: AuditRow[];
  learningEvents: number;
}

/** One learner's page, or null when the learner has no request the actor may see. */
export async function getLearnerDetail(
  db: SupportDb,
  actor: Actor,
  organisationId: number,
  misLearnerId: string,
): Promise<LearnerDetail | null> {
  if (!Number.isSafeInteger(organisationId) || organisationId <= 0 || misLearnerId === '') return null;
  const rows = await getLearnerHistory(db, actor, misLearnerId, {
    organisationIds: [organisationId],
    match: 'mis learner id',
    limit: LEARNER_REQUEST_LIMIT + 1,
  });
  const shown = rows.slice(0, LEARNER_REQUEST_LIMIT);
  const latest = shown[0];
  if (!latest) return null;
  const ids = shown.map((r) => r.id);
  const [extra, s, audit, learningEvents] = await Promise.all([
    selectLearnerRequestExtras(db.pool, ids),
    selectLearnerStatus(db.pool, organisationId, misLearnerId),
    listAudit(db.pool, ids, 'newest first'),
    countLearningEvents(db.pool, organisationId, misLearnerId),
  ]);
  const byId = new Map(extra.map((x) => [x.id as number, x]));
  const codeOf = (r: RequestRow) => r.code ?? (byId.get(r.id)?.code as string | null | undefined) ?? null;
  const codes = await explainCodes(db, [
    ...new Set(shown.map(codeOf).filter((c): c is string => c !== null)),
  ]);
  return {
    organisationId,
    organisation: latest.organisation,
    misLearnerId,
    name: (byId.get(latest.id)?.name as string | null | undefined) ?? null,
    state: s
      ? {
          requestId: s.request_id as number,
          kind: s.kind as string,
          status: s.status as string,
          code: s.code as string | null,
          codeMeaning: s.code_meaning as string | null,
          resolution: s.resolution as string | null,
          uln: s.uln as string | null,
          requestUln: s.request_uln as string | null,
          masterUln: s.master_uln as string | null,
          updatedAt: s.updated_at as Date,
        }
      : null,
    requests: shown.map((r) => {
      const x = byId.get(r.id);
      const code = codeOf(r);
      return {
        ...r,
        codeInfo: code === null ? null : (codes.get(code) ?? null),
        masterUln: (x?.master_uln as string | null | undefined) ?? null,
        linkedUlns: (x?.linked_ulns as string[] | null | undefined) ?? null,
        candidates: r.status === 'needs_action' ? readCandidates(x?.candidates) : [],
      };
    }),
    isTruncated: rows.length > LEARNER_REQUEST_LIMIT,
    audit,
    learningEvents,
  };
}
