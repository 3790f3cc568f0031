/**
 * Retention and learners' rights (UK GDPR): the scheduled purge of personal data past retention,
 * a learner's subject access export and erasure. What is personal and what is kept: src/db/retention.ts.
 */
import type pg from 'pg';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import type { Logger } from '../log.ts';
import { canSeePersonalData, type PersonalDataReader } from '../personal-data.ts';
import {
  OPEN_LEARNER_STATUSES,
  auditLearnerAction,
  eraseLearnerData,
  lockLearnerRequests,
  purgeBatchErrors,
  purgeExceptionSpans,
  purgeFinishedRequests,
  purgeLearningEvents,
  readLearnerExportPage,
  type ErasedCounts,
} from '../db/retention.ts';
import { inTransaction } from '../db/transaction.ts';

export interface RetentionSettings {
  /** Days a finished request's personal data is kept (RETENTION_REQUEST_DAYS). */
  requestDays: number;
  /** Days learning event details are kept (RETENTION_LEARNING_EVENT_DAYS). */
  learningEventDays: number;
  /** Rows per transaction (RETENTION_PURGE_CHUNK). */
  chunk: number;
  /**
   * Longest one run keeps going, ms (default 20 s): the scheduler runs its sweeps one at a time, so a
   * large backlog is worked off over several runs rather than holding up reconcile.
   */
  maxRunMs?: number;
}

export interface PurgeResult {
  requests: number;
  learningEvents: number;
  /** Finished batches whose LRS error text was cleared. */
  batchErrors: number;
  /** Exception periods closed before the request retention period, deleted. */
  exceptionSpans: number;
  /** True when the run stopped at maxRunMs with rows still to purge. */
  more: boolean;
}

/** Runs the purge in chunks until nothing past retention is left or the run's time is up; logs the counts. */
export async function purgePersonalData(o: {
  pool: pg.Pool;
  log: Logger;
  settings: RetentionSettings;
  now?: () => number;
}): Promise<PurgeResult> {
  const now = o.now ?? Date.now;
  const started = now();
  const deadline = started + (o.settings.maxRunMs ?? 20_000);
  const result: PurgeResult = {
    requests: 0,
    learningEvents: 0,
    batchErrors: 0,
    exceptionSpans: 0,
    more: false,
  };
  const limit = o.settings.chunk;
  for (;;) {
    const n = await purgeFinishedRequests(o.pool, { olderThanDays: o.settings.requestDays, limit });
    result.requests += n;
    if (n < limit) break;
    if (now() >= deadline) {
      result.more = true;
      break;
    }
  }
  while (!result.more) {
    const n = await purgeLearningEvents(o.pool, { olderThanDays: o.settings.learningEventDays, limit });
    result.learningEvents += n;
    if (n < limit) break;
    if (now() >= deadline) result.more = true;
  }
  while (!result.more) {
    const n = await purgeBatchErrors(o.pool, { olderThanDays: o.settings.requestDays, limit });
    result.batchErrors += n;
    if (n < limit) break;
    if (now() >= deadline) result.more = true;
  }
  while (!result.more) {
    const n = await purgeExceptionSpans(o.pool, { olderThanDays: o.settings.requestDays, limit });
    result.exceptionSpans += n;
    if (n < limit) break;
    if (now() >= deadline) result.more = true;
  }
  o.log.info(
    {
      purgedRequests: result.requests,
      purgedLearningEvents: result.learningEvents,
      purgedBatchErrors: result.batchErrors,
      purgedExceptionSpans: result.exceptionSpans,
      more: result.more,
      durationMs: now() - started,
    },
    'retention purge: personal data past retention cleared',
  );
  return result;
}

/** Codes lrs-relay writes to lrs.audit for learners' rights actions (code_source 'relay'). */
export const LEARNER_RIGHTS_CODES = {
  EXPORTED: PIPELINE_CODES.LEARNER_EXPORTED,
  ERASED: PIPELINE_CODES.LEARNER_ERASED,
} as const;

/** Why an export or erasure was refused; `code` is stable, the message says what to do. */
export class LearnerRightsError extends Error {
  override readonly name = 'LearnerRightsError';
  constructor(
    readonly code: 'LEARNER_NOT_FOUND' | 'LEARNER_WORK_OPEN' | 'PERSONAL_DATA_FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

function checkAccess(actor: PersonalDataReader, organisationId: number): void {
  if (!canSeePersonalData(actor, organisationId))
    throw new LearnerRightsError(
      'PERSONAL_DATA_FORBIDDEN',
      `${actor.name} may not see this organisation's personal data; ask an administrator to grant it`,
    );
}

/**
 * Writes everything held about one learner as one JSON document, for a subject access request:
 * `write` receives it in pieces (a page of requests at a time, so memory stays bounded however many
 * requests the learner has). Audited (relay.learner_export) without personal data.
 * Throws LearnerRightsError LEARNER_NOT_FOUND when nothing is held.
 */
export async function exportLearner(o: {
  pool: pg.Pool;
  actor: PersonalDataReader;
  organisation: { id: number; name: string; ukprn: string | null; organisationRef: string | null };
  misLearnerId: string;
  write: (piece: string) => void;
  pageSize?: number;
  now?: () => Date;
}): Promise<{ requests: number }> {
  checkAccess(o.actor, o.organisation.id);
  const pageSize = o.pageSize ?? 200;
  const read = (afterId: number) =>
    readLearnerExportPage(o.pool, {
      organisationId: o.organisation.id,
      misLearnerId: o.misLearnerId,
      afterId,
      limit: pageSize,
    });
  let page = await read(0);
  if (page.length === 0)
    throw new LearnerRightsError(
      'LEARNER_NOT_FOUND',
      `nothing is held about learner ${JSON.stringify(o.misLearnerId)} of organisation ${o.organisation.ukprn ?? o.organisation.organisationRef ?? o.organisation.id}`,
    );
  const head = {
    exportedAt: (o.now ?? (() => new Date()))().toISOString(),
    exportedBy: o.actor.name,
    organisation: o.organisation,
    misLearnerId: o.misLearnerId,
  };
  o.write(`${JSON.stringify(head).slice(0, -1)},"requests":[`);
  let count = 0;
  while (page.length > 0) {
    for (const row of page) {
      o.write(`${count === 0 ? '' : ','}${JSON.stringify(row)}`);
      count++;
    }
    if (page.length < pageSize) break;
    page = await read(page[page.length - 1]!.id);
  }
  o.write(']}');
  await auditLearnerAction(o.pool, {
    organisationId: o.organisation.id,
    actor: o.actor.name,
    operation: 'relay.learner_export',
    code: LEARNER_RIGHTS_CODES.EXPORTED,
  });
  return { requests: count };
}

/**
 * Erases one learner's personal data for an erasure request (what is cleared: src/db/retention.ts).
 * Refused (LEARNER_WORK_OPEN) while any of the learner's requests is open or needs action.
 */
export async function eraseLearner(o: {
  pool: pg.Pool;
  actor: PersonalDataReader;
  organisationId: number;
  misLearnerId: string;
}): Promise<ErasedCounts> {
  checkAccess(o.actor, o.organisationId);
  return inTransaction(o.pool, async (c) => {
    const rows = await lockLearnerRequests(c, o.organisationId, o.misLearnerId);
    if (rows.length === 0)
      throw new LearnerRightsError(
        'LEARNER_NOT_FOUND',
        `nothing is held about learner ${JSON.stringify(o.misLearnerId)} in that organisation`,
      );
    const open = rows.filter((r) => (OPEN_LEARNER_STATUSES as readonly string[]).includes(r.status));
    if (open.length > 0) {
      const shown = open.slice(0, 10).map((r) => `${r.id} (${r.status})`);
      throw new LearnerRightsError(
        'LEARNER_WORK_OPEN',
        `not erased: ${open.length} request(s) for this learner are still open: ${shown.join(', ')}${open.length > 10 ? ', …' : ''}. ` +
          'Wait for them to finish, or cancel them (`lrs-relay requests cancel <id>`), then erase again.',
      );
    }
    return eraseLearnerData(c, {
      organisationId: o.organisationId,
      misLearnerId: o.misLearnerId,
      requestIds: rows.map((r) => r.id),
      actor: o.actor.name,
      code: LEARNER_RIGHTS_CODES.ERASED,
    });
  });
}
