/**
 * Batch output → one terminal resolution per request, with the same classes and resolution notes as
 * single calls (`resolutionFor`). Pure functions: the poll job does the I/O.
 */
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import type { AchievementJobResult, OutputBatchLearner, VerifiedLearner } from '../lrs/types.ts';
import type { Settlement } from '../db/batches.ts';
import { resolutionFor } from '../requests/resolve.ts';
import { createRedactor } from '../requests/redact.ts';

/** Which of `openIds` the rows answer, and which they do not (rows for ids not in the batch are counted, never written). */
export interface FanOut {
  settlements: Settlement[];
  missing: number[];
  foreign: number;
}

function collect<T>(
  openIds: readonly number[],
  rows: readonly T[],
  idOf: (row: T) => string | undefined,
  resolve: (row: T) => Settlement['resolution'],
): FanOut {
  const open = new Set(openIds);
  const seen = new Set<number>();
  const settlements: Settlement[] = [];
  let foreign = 0;
  for (const row of rows) {
    const id = Number(idOf(row));
    // A second row for one learner is ignored: the first answer is the one written.
    if (!open.has(id) || seen.has(id)) {
      foreign++;
      continue;
    }
    seen.add(id);
    settlements.push({ requestId: id, resolution: resolve(row) });
  }
  return { settlements, missing: openIds.filter((id) => !seen.has(id)), foreign };
}

/** Registration batch rows: per-learner ReturnCode (RC…, see codes.ts) and the ULN found or issued. */
export function fanOutRegistration(
  batchId: number,
  openIds: readonly number[],
  rows: readonly OutputBatchLearner[],
): FanOut {
  return collect(
    openIds,
    rows,
    (r) => r.misIdentifier,
    (r) =>
      resolutionFor(r.returnCode, 'lrs', {
        uln: r.uln,
        masterUln: r.returnCode === 'RC003' ? r.uln : undefined,
        detail: { batchId, returnCode: r.returnCode },
      }),
  );
}

/** Verify batch rows: WSVRC codes and VRF flags, exactly as a single verifyLearner. */
export function fanOutVerify(
  batchId: number,
  openIds: readonly number[],
  rows: readonly VerifiedLearner[],
): FanOut {
  return collect(
    openIds,
    rows,
    (r) => r.misIdentifier,
    (r) =>
      resolutionFor(r.responseCode, 'lrs', {
        uln: r.uln,
        failureFlags: r.failureFlags,
        detail: { batchId, verified: r },
      }),
  );
}

/**
 * The achievement job's error file, as `row,error type,description` lines with 1-based row numbers in
 * submission order (the simulator's shape; the real format is unknown, docs/lrs.md §4.13). Lines that do not
 * fit are skipped.
 */
export function parseAchievementErrors(file: string | undefined): Map<number, string> {
  const errors = new Map<number, string>();
  for (const line of (file ?? '').split(/\r?\n/)) {
    const m = /^\s*(\d+)\s*,\s*([^,]*)\s*,?(.*)$/.exec(line);
    if (!m) continue;
    const row = Number(m[1]);
    const text = [m[2]?.trim(), m[3]?.trim()].filter(Boolean).join(': ');
    errors.set(row, errors.has(row) ? `${errors.get(row) ?? ''}; ${text}` : text);
  }
  return errors;
}

/**
 * Achievement results: a record named in the error file is ACHIEVEMENT_REJECTED with the error; any
 * other record is ACHIEVEMENT_LOADED when the job was Successful, ACHIEVEMENT_BATCH_FAILED when it
 * ended Failed or Cancelled. `sentIds` is the submission order (id order). The LRS's text is stored
 * without personal values: an error row's without its own request's (`payloads`, by request id), the
 * job's rejection reason without any of the batch's.
 */
export function fanOutAchievements(
  batchId: number,
  sentIds: readonly number[],
  r: AchievementJobResult,
  payloads: ReadonlyMap<number, unknown>,
): FanOut {
  const errors = parseAchievementErrors(r.achievementBatchErrorFile);
  const jobFailed = r.state !== 'done';
  const rejection = r.rejectionReason ? createRedactor([...payloads.values()])(r.rejectionReason) : '';
  const reason = rejection ? ` Rejection reason: ${rejection}` : '';
  const settlements = sentIds.map((requestId, i): Settlement => {
    const raw = errors.get(i + 1);
    const error = raw === undefined ? undefined : createRedactor([payloads.get(requestId)])(raw);
    const detail = { batchId, jobId: r.jobId, row: i + 1, status: r.status };
    if (error !== undefined) {
      return {
        requestId,
        resolution: resolutionFor(PIPELINE_CODES.ACHIEVEMENT_REJECTED, 'relay', {
          description: `The LRS rejected this achievement: ${error}`,
          detail,
        }),
      };
    }
    if (jobFailed) {
      return {
        requestId,
        resolution: resolutionFor(PIPELINE_CODES.ACHIEVEMENT_BATCH_FAILED, 'relay', {
          description: `The achievement job ended ${r.status ?? r.state}.${reason}`,
          detail,
        }),
      };
    }
    return { requestId, resolution: resolutionFor(PIPELINE_CODES.ACHIEVEMENT_LOADED, 'relay', { detail }) };
  });
  return { settlements, missing: [], foreign: 0 };
}

/** Counts of LRS counters worth keeping on the batch row. */
export function achievementCounters(r: AchievementJobResult): Record<string, unknown> {
  return {
    numberOfRecords: r.numberOfRecords,
    achievementsCreated: r.achievementsCreated,
    achievementsUpdated: r.achievementsUpdated,
    achievementsWithdrawn: r.achievementsWithdrawn,
    achievementsReinstated: r.achievementsReinstated,
    achievementsPromotedToFinal: r.achievementsPromotedToFinal,
    businessRuleErrors: r.businessRuleErrors,
    fieldDataErrors: r.fieldDataErrors,
    learnerDataErrors: r.learnerDataErrors,
    percentageSuccessfulRecords: r.percentageSuccessfulRecords,
    lrsStatus: r.status,
  };
}
