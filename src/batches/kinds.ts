/**
 * The batch kinds, one entry each: which request kind a batch carries, its two LRS operations (submit
 * and output), how a request becomes a record, how the output maps back to requests, what happens when
 * the batch itself fails, and its size limit. The assembler, the submit and poll jobs and the failure
 * rules read this table and never branch on a kind themselves (as src/requests/processors.ts does for
 * single calls), so a new batch kind is one entry here (beside its request kind in BATCH_KIND_OF,
 * src/db/kinds.ts, a layer below).
 */
import type { Config } from '../config.ts';
import type { OperationName } from '../lrs/messages.ts';
import type { LrsClient, LrsIdentity } from '../lrs/types.ts';
import type { BatchKind } from '../../db/schema.ts';
import { BATCH_KIND_OF, REQUEST_KIND_OF, SINGLE_CALL_KINDS, type BatchableKind } from '../db/kinds.ts';
import type { BatchRow } from '../db/batches.ts';
import {
  buildAchievementRecord,
  buildRegistrationRecord,
  buildVerifyRecord,
  type BatchRecord,
  type RecordContext,
  type RecordResult,
} from './records.ts';
import {
  achievementCounters,
  fanOutAchievements,
  fanOutRegistration,
  fanOutVerify,
  type FanOut,
} from './results.ts';

/** What the LRS answered to a poll: still running, unknown job, or finished with rows to fan out. */
export type Output =
  | { state: 'running' | 'unknown'; code: string }
  | { state: 'unknown_job'; code: string }
  | {
      state: 'finished';
      code: string;
      failed: boolean;
      /**
       * `memberIds` (every request sent, in submission order) are read only when `needsMemberIds`;
       * `payloads` (by request id) only when `needsPayloads`: the LRS's text is redacted with them.
       */
      fanOut: (openIds: number[], memberIds: number[], payloads: ReadonlyMap<number, unknown>) => FanOut;
      needsMemberIds?: boolean;
      needsPayloads?: boolean;
      counters: Record<string, unknown>;
    };

/** The LRS's answer to a submit: WSRC0007 with a job id when it took the batch. */
export interface SubmitAnswer {
  code: string;
  jobId?: string | undefined;
}

/** One batch kind. */
export interface BatchKindSpec {
  kind: BatchKind;
  /** The request kind it carries (derived from BATCH_KIND_OF). */
  requestKind: BatchableKind;
  /**
   * Whether the request kind has a single call (derived from src/db/kinds.ts). If so, a batch that gives
   * no per-learner answer sends its open requests again as single calls; if not, they are settled
   * needs_action for a person (rules.ts, abandonBatch).
   */
  hasSingleCall: boolean;
  /** The setting holding the most records one batch carries. */
  limitSetting: keyof Config & `BATCH_LIMIT_${string}`;
  /** The LRS's JobType of a new batch (registration batches only), stored on lrs.batch. */
  jobType: 'FUL' | null;
  /** Held until the learner is verified (src/batches/gate.ts) before it may join a batch. */
  verifiedFirst: boolean;
  /**
   * The LRS may refuse the whole batch as too many (WSEC0046): the batch is split and the organisation's
   * batches of this kind capped from then on, rather than refused for a person.
   */
  splitsWhenTooMany: boolean;
  submitOperation: OperationName;
  pollOperation: OperationName;
  /** Request payload → the record this batch carries, checked alone (records.ts). */
  buildRecord(requestId: number, payload: unknown, o: RecordContext): RecordResult;
  /** Sends the batch's records. */
  submit(
    client: LrsClient,
    id: LrsIdentity,
    b: BatchRow,
    records: readonly BatchRecord[],
    signal: AbortSignal,
  ): Promise<SubmitAnswer>;
  /** Asks for the batch's output and says how its rows map back to requests (results.ts). */
  fetchOutput(client: LrsClient, id: LrsIdentity, b: BatchRow, signal: AbortSignal): Promise<Output>;
}

type KindOwn<K extends BatchKind> = Omit<BatchKindSpec, 'kind' | 'requestKind' | 'hasSingleCall'> & {
  kind: K;
};

function defineBatchKind<K extends BatchKind>(spec: KindOwn<K>): BatchKindSpec {
  const requestKind = REQUEST_KIND_OF[spec.kind];
  return {
    ...spec,
    requestKind,
    hasSingleCall: (SINGLE_CALL_KINDS as readonly string[]).includes(requestKind),
  };
}

export const BATCH_KIND_SPECS: Readonly<Record<BatchKind, BatchKindSpec>> = {
  registration: defineBatchKind({
    kind: 'registration',
    limitSetting: 'BATCH_LIMIT_REGISTRATION',
    jobType: 'FUL',
    verifiedFirst: false,
    splitsWhenTooMany: false,
    submitOperation: 'submitBatchRegistration',
    pollOperation: 'getBatchRegistrationOutput',
    buildRecord: buildRegistrationRecord,
    async submit(client, id, b, records, signal) {
      const learners = records.flatMap((r) => (r.kind === 'registration' ? [r.learner] : []));
      const jobType = b.jobType === 'CHK' ? 'CHK' : 'FUL';
      const r = await client.submitBatchRegistration(id, { jobType, learners }, { signal });
      return { code: r.code, jobId: r.jobId };
    },
    async fetchOutput(client, id, b, signal) {
      const r = await client.getBatchRegistrationOutput(id, b.lrsJobId ?? '', { signal });
      if (r.state !== 'done' && r.state !== 'failed') return { state: r.state, code: r.code };
      return {
        state: 'finished',
        code: r.code,
        failed: r.state === 'failed',
        fanOut: (open) => fanOutRegistration(b.id, open, r.learners),
        counters: {
          ...r.counters,
          jobStatus: r.jobStatus,
          jobStarted: r.jobStartedDateTime,
          jobFinished: r.jobFinishedDateTime,
        },
      };
    },
  }),
  verify: defineBatchKind({
    kind: 'verify',
    limitSetting: 'BATCH_LIMIT_VERIFY',
    jobType: null,
    verifiedFirst: false,
    splitsWhenTooMany: false,
    submitOperation: 'submitVerifyBatch',
    pollOperation: 'getVerifyBatchOutput',
    buildRecord: buildVerifyRecord,
    async submit(client, id, _b, records, signal) {
      const learners = records.flatMap((r) => (r.kind === 'verify' ? [r.learner] : []));
      const r = await client.submitVerifyBatch(id, { learners }, { signal });
      return { code: r.code, jobId: r.jobId };
    },
    async fetchOutput(client, id, b, signal) {
      const r = await client.getVerifyBatchOutput(id, b.lrsJobId ?? '', { signal });
      if (r.state !== 'done' && r.state !== 'failed') return { state: r.state, code: r.code };
      return {
        state: 'finished',
        code: r.code,
        failed: r.state === 'failed',
        fanOut: (open) => fanOutVerify(b.id, open, r.learners),
        counters: {
          jobStatus: r.jobStatus,
          jobStarted: r.jobStartedDateTime,
          jobFinished: r.jobFinishedDateTime,
        },
      };
    },
  }),
  achievement: defineBatchKind({
    kind: 'achievement',
    limitSetting: 'BATCH_LIMIT_ACHIEVEMENT',
    jobType: null,
    verifiedFirst: true,
    splitsWhenTooMany: true,
    submitOperation: 'submitAchievementBatchJob',
    pollOperation: 'getAchievementBatchJob',
    buildRecord: buildAchievementRecord,
    async submit(client, id, _b, records, signal) {
      const achievements = records.flatMap((r) => (r.kind === 'achievement' ? [r.achievement] : []));
      const r = await client.submitAchievementBatchJob(id, { achievements }, { signal });
      return { code: r.code, jobId: r.jobId === undefined ? undefined : String(r.jobId) };
    },
    async fetchOutput(client, id, b, signal) {
      const r = await client.getAchievementBatchJob(id, Number(b.lrsJobId ?? ''), { signal });
      if (r.code === 'WSRC0018') return { state: 'unknown_job', code: r.code };
      if (r.state !== 'done' && r.state !== 'failed' && r.state !== 'cancelled')
        return { state: r.state === 'running' ? 'running' : 'unknown', code: r.code };
      return {
        state: 'finished',
        code: r.code,
        failed: r.state !== 'done',
        // Every achievement sent gets a row, in submission order (the error file numbers rows).
        fanOut: (_open, members, payloads) => fanOutAchievements(b.id, members, r, payloads),
        needsMemberIds: true,
        needsPayloads: Boolean(r.achievementBatchErrorFile || r.rejectionReason),
        counters: achievementCounters(r),
      };
    },
  }),
};

/** The batch kind that carries requests of `requestKind`. */
export function batchKindFor(requestKind: BatchableKind): BatchKindSpec {
  return BATCH_KIND_SPECS[BATCH_KIND_OF[requestKind]];
}

/**
 * Builds and checks one request's record for the batch its kind travels in. `providerUkprn` fills an
 * achievement's ProviderUkprn when the payload has none; `requestedAt`, when the request was made, is the
 * date a registration's age rule is judged on.
 */
export function buildBatchRecord(
  requestKind: BatchableKind,
  requestId: number,
  payload: unknown,
  o: RecordContext,
): RecordResult {
  return batchKindFor(requestKind).buildRecord(requestId, payload, o);
}

/** Records per batch by request kind, from the settings the table names. */
export function batchLimits(
  config: Pick<Config, BatchKindSpec['limitSetting']>,
): Record<BatchableKind, number> {
  return Object.fromEntries(
    Object.values(BATCH_KIND_SPECS).map((k) => [k.requestKind, config[k.limitSetting]]),
  ) as Record<BatchableKind, number>;
}
