/**
 * What support staff change: retry, cancel, and resolve a possible match. Each action checks the
 * actor's organisations inside the SQL (never trusting a caller's pre-check), writes one lrs.audit
 * row per request, and commits atomically. Retry notifies channel lrs_request so the outbox relay
 * re-enqueues the request at once.
 */
import type pg from 'pg';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import { OPEN_STATUSES } from '../../db/schema.ts';
import type { SupportDb } from '../db/pool.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  cancelRequestsWhere,
  claimBulkActionUndo,
  insertActionAudit,
  insertBulkAction,
  isBulkActionUndoable,
  restoreCancelledWhere,
  lockRequestForMatch,
  recordChosenCandidate,
  retryRequestsWhere,
  selectRequestOrganisations,
  setStaffNote,
} from '../db/support-actions.ts';
import { canSeeOrganisation, canSeePersonalData, type Actor } from './access.ts';

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

async function classify(
  c: pg.PoolClient,
  ids: number[],
  changed: number[],
  actor: Actor,
): Promise<ActionResult['skipped']> {
  const left = ids.filter((id) => !changed.includes(id));
  if (left.length === 0) return [];
  const rows = await selectRequestOrganisations(c, left);
  const visible = new Set(
    rows.filter((row) => canSeeOrganisation(actor, row.organisationId)).map((row) => Number(row.id)),
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
    await inTransaction(db.pool, async (c) => {
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
  return runChunked(db, ids, actor, o, (c, chunk) =>
    retryRequestsWhere(c, chunk, { statuses: RETRYABLE_STATUSES, actor, code: PIPELINE_CODES.RETRY }),
  );
}

/** Cancels requests that are not finished (or still need action): status cancelled, audit 'relay.cancel'. */
export async function cancelRequests(
  db: SupportDb,
  ids: readonly number[],
  actor: Actor,
  o: ActionOptions & {
    /** Record the cancel so that the same actor can undo it for UNDO_WINDOW_S (undoCancel). */
    undoable?: boolean;
  } = {},
): Promise<ActionResult & { undoId?: number | null }> {
  const previous = new Map<number, string>();
  const result = await runChunked(db, ids, actor, o, async (c, chunk) => {
    const changed = await cancelRequestsWhere(c, chunk, {
      statuses: CANCELLABLE_STATUSES,
      actor,
      code: PIPELINE_CODES.CANCEL,
    });
    for (const ch of changed) previous.set(ch.id, ch.previousStatus);
    return changed.map((ch) => ch.id);
  });
  const undoId =
    o.undoable && result.done.length > 0
      ? await insertBulkAction(db.pool, {
          userName: actor.name,
          operation: 'cancel',
          requestIds: result.done,
          previousStatuses: result.done.map((id) => previous.get(id) ?? 'needs_action'),
        })
      : null;
  return o.undoable ? { ...result, undoId } : result;
}

/** How long a bulk cancel can be undone, seconds. */
export const UNDO_WINDOW_S = 15 * 60;

/** Whether `actor` can still undo bulk action `id` (to offer the button). */
export function canUndo(db: SupportDb, id: number, actor: Actor): Promise<boolean> {
  return isBulkActionUndoable(db.pool, { id, userName: actor.name, windowS: UNDO_WINDOW_S });
}

/**
 * Undoes a bulk cancel by the same actor within UNDO_WINDOW_S: each request still cancelled gets back
 * the status it had: needing action with its outcome and code as they were, or, if it was still on its
 * way, queued again as a retry would. Requests changed since are left alone. Null when the action is not
 * this actor's, was undone already or is too old.
 */
export async function undoCancel(db: SupportDb, id: number, actor: Actor): Promise<number[] | null> {
  return inTransaction(db.pool, async (c) => {
    const claimed = await claimBulkActionUndo(c, {
      id,
      userName: actor.name,
      operation: 'cancel',
      windowS: UNDO_WINDOW_S,
    });
    if (claimed === null) return null;
    const code = PIPELINE_CODES.UNDO_CANCEL;
    const open = claimed.filter((r) => (OPEN_STATUSES as readonly string[]).includes(r.previousStatus));
    const restored: number[] = [];
    // Back on its way: the relay queues it again (its job was dropped with the cancel).
    if (open.length > 0)
      restored.push(
        ...(await retryRequestsWhere(
          c,
          open.map((r) => r.requestId),
          { statuses: ['cancelled'], actor, code },
        )),
      );
    for (const status of new Set(claimed.map((r) => r.previousStatus))) {
      if ((OPEN_STATUSES as readonly string[]).includes(status)) continue;
      const ids = claimed.filter((r) => r.previousStatus === status).map((r) => r.requestId);
      restored.push(...(await restoreCancelledWhere(c, ids, { status, actor, code })));
    }
    return restored.sort((a, b) => a - b);
  });
}

/**
 * What a staff note may not hold: control characters but tab and line breaks (C0, DEL, C1), the line and
 * paragraph separators, lone surrogates and every Unicode format character (category Cf: the direction
 * controls such as U+202E and U+061C, zero-width characters such as U+200B, the interlinear annotation
 * characters U+FFF9–U+FFFB). The note is shown in terminals (`requests show`) and pages, where these
 * would reorder or hide text.
 */
const NOTE_CONTROL = /[^\P{Cc}\t\n\r]|[\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

export class SupportActionError extends Error {
  override readonly name = 'SupportActionError';
  constructor(
    readonly code:
      | 'not_found'
      | 'wrong_status'
      | 'no_candidates'
      | 'unknown_candidate'
      | 'note_required'
      | 'note_control_characters',
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
  if (NOTE_CONTROL.test(trimmed))
    throw new SupportActionError(
      'note_control_characters',
      'the note contains control characters or invisible format characters (such as ESC, BEL, U+202E or U+200B); write it as plain text',
    );
  return inTransaction(db.pool, async (c) => {
    const row = await lockRequestForMatch(c, requestId);
    if (
      !row ||
      !canSeeOrganisation(actor, row.organisationId) ||
      !canSeePersonalData(actor, row.organisationId)
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
      insertActionAudit(c, {
        organisationId: row.organisationId,
        requestId,
        batchId: row.batchId,
        userName: actor.name,
        operation,
        code,
      });
    if (uln === null) {
      if (trimmed === '')
        throw new SupportActionError('note_required', 'say why every candidate was rejected');
      await setStaffNote(c, requestId, trimmed);
      await audit(PIPELINE_CODES.STAFF_NO_MATCH, 'relay.reject-candidates');
      return { outcome: 'rejected_all' };
    }
    const chosen = candidates.find((cand) => cand.uln === uln);
    if (!chosen)
      throw new SupportActionError(
        'unknown_candidate',
        `ULN is not one of the candidates of request ${requestId}`,
      );
    await recordChosenCandidate(c, {
      requestId,
      organisationId: row.organisationId,
      code: PIPELINE_CODES.STAFF_MATCHED,
      uln,
      candidates,
      chosen,
      description: `Chosen by ${actor.name}`,
      note: trimmed,
    });
    await audit(PIPELINE_CODES.STAFF_MATCHED, 'relay.resolve-match');
    return { outcome: 'matched', uln };
  });
}
