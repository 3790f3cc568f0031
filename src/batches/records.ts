/**
 * Request payload → the record a batch carries, and the per-record check done before a request may
 * join a batch. The LRS (and our client) refuse a whole batch for one bad record, so each record is
 * validated alone, with the same message descriptions the client uses, and a bad one is settled
 * `rejected` on its own instead of sinking 199 good ones.
 */
import type { RELAY_CODES } from '../codes/client-codes.ts';
import type { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import { ageProblem } from '../lrs/age.ts';
import type { FieldProblem } from '../lrs/errors.ts';
import { validateMessage } from '../lrs/messages.ts';
import * as op from '../lrs/operations/index.ts';
import type { Achievement, BatchLearner, LearnerToVerify, LrsIdentity } from '../lrs/types.ts';
import { learnerToRegisterOf, parsePayload } from '../requests/payload.ts';

export type BatchRecord =
  | { kind: 'registration'; learner: BatchLearner }
  | { kind: 'verify'; learner: LearnerToVerify }
  | { kind: 'achievement'; achievement: Achievement };

export type RecordResult =
  { ok: true; record: BatchRecord } | { ok: false; code: RecordRefusal; problems: FieldProblem[] };

/** Our codes for a record refused before it may join a batch (each settles its request `rejected`). */
type RecordRefusal =
  | typeof PIPELINE_CODES.BAD_REQUEST_PAYLOAD
  | typeof RELAY_CODES.LOCAL_VALIDATION
  | typeof PIPELINE_CODES.AGE_OUT_OF_RANGE;

/** A stand-in identity for validating records alone; credential problems are filtered out. */
const PLACEHOLDER_ID: LrsIdentity = {
  ukprn: '10000001',
  organisationRef: 'ABC123',
  password: 'x'.repeat(16),
  userName: 'validate',
};
const RECORD_PATH = /^(learners|achievements)\[0\]\.?/;

function recordProblems(problems: FieldProblem[]): FieldProblem[] {
  return problems
    .filter((p) => RECORD_PATH.test(p.field))
    .map((p) => ({ ...p, field: p.field.replace(RECORD_PATH, '') || '(record)' }));
}

const blankToUndefined = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v;

/** What a record builder is given beside the request's id and payload. */
export interface RecordContext {
  /** Fills an achievement's ProviderUkprn when the payload has none. */
  providerUkprn?: string | null;
  /** When the request was made: the date a registration's age rule is judged on. */
  requestedAt: Date;
}

/** A registration batch's record: the learner as a single registration would send it. */
export function buildRegistrationRecord(requestId: number, payload: unknown, o: RecordContext): RecordResult {
  const p = parsePayload('register', payload);
  if (!p.ok) return { ok: false, code: 'BAD_REQUEST_PAYLOAD', problems: p.problems };
  const l = learnerToRegisterOf(p.value);
  const learner: BatchLearner = {
    ...l,
    misIdentifier: String(requestId),
    verificationType: blankToUndefined(l.verificationType),
    abilityToShare: blankToUndefined(l.abilityToShare),
  };
  const wire = op.submitBatchRegistration.build(PLACEHOLDER_ID, { jobType: 'FUL', learners: [learner] });
  const problems = recordProblems(validateMessage(op.submitBatchRegistration.spec, wire));
  if (problems.length > 0) return { ok: false, code: 'LOCAL_VALIDATION', problems };
  // The LRS refuses a learner outside the permitted ages (RC011 in web-service batches): not sent.
  const age = ageProblem(learner.dateOfBirth, o.requestedAt);
  return age
    ? { ok: false, code: 'AGE_OUT_OF_RANGE', problems: [age] }
    : { ok: true, record: { kind: 'registration', learner } };
}

/** A verify batch's record. */
export function buildVerifyRecord(requestId: number, payload: unknown): RecordResult {
  const p = parsePayload('verify', payload);
  if (!p.ok) return { ok: false, code: 'BAD_REQUEST_PAYLOAD', problems: p.problems };
  const learner: LearnerToVerify = { misIdentifier: String(requestId), ...p.value };
  const wire = op.submitVerifyBatch.build(PLACEHOLDER_ID, { learners: [learner] });
  const problems = recordProblems(validateMessage(op.submitVerifyBatch.spec, wire));
  return problems.length > 0
    ? { ok: false, code: 'LOCAL_VALIDATION', problems }
    : { ok: true, record: { kind: 'verify', learner } };
}

/** An achievement batch's record. */
export function buildAchievementRecord(requestId: number, payload: unknown, o: RecordContext): RecordResult {
  const p = parsePayload('achievement', payload);
  if (!p.ok) return { ok: false, code: 'BAD_REQUEST_PAYLOAD', problems: p.problems };
  const v = p.value;
  const action = v.action === undefined ? 1 : Number(v.action);
  const gender = v.gender === undefined ? undefined : Number(v.gender);
  const achievement: Achievement = {
    achievementAwardDate: v.achievementAwardDate,
    // Action codes are unknown at the LRS (docs/lrs.md §4.13); 1 = create, as the simulator reads them.
    action: Number.isInteger(action) ? action : Number.NaN,
    actionDate: v.actionDate ?? v.achievementAwardDate,
    actionReason: v.actionReason,
    dateOfBirth: v.dateOfBirth,
    familyName: v.familyName,
    gender: gender !== undefined && Number.isInteger(gender) ? gender : undefined,
    givenName: v.givenName,
    grade: v.grade,
    languageForAssessment: v.languageForAssessment,
    learnerPostcode: v.learnerPostcode,
    misIdentifier: String(requestId),
    providerUkprn: v.providerUkprn ?? o.providerUkprn ?? '',
    uln: v.uln,
    unitOrQualificationReferenceNumber: v.unitOrQualificationReferenceNumber,
  };
  const extra: FieldProblem[] = Number.isNaN(achievement.action)
    ? [{ field: 'action', message: 'must be a whole number' }]
    : [];
  const wire = op.submitAchievementBatchJob.build(PLACEHOLDER_ID, { achievements: [achievement] });
  const problems = [...extra, ...recordProblems(validateMessage(op.submitAchievementBatchJob.spec, wire))];
  return problems.length > 0
    ? { ok: false, code: 'LOCAL_VALIDATION', problems }
    : { ok: true, record: { kind: 'achievement', achievement } };
}
