/** GetAchievementBatchJob (docs/lrs.md §4.13): poll an achievement job until Successful, Failed or Cancelled. */
import { MESSAGES, type WireObject } from '../messages.ts';
import type { AchievementJobResult, LrsIdentity } from '../types.ts';
import { childNumber, childText, type SoapBody } from '../xml.ts';
import { requireCode, resultBase, resultNode } from './common.ts';
import { externalUser } from './submit-achievement-batch-job.ts';

export const spec = MESSAGES.getAchievementBatchJob;

/** Status enum from the WSDL → our job state. */
const STATES: Record<string, AchievementJobResult['state']> = {
  Waiting: 'running',
  InProgress: 'running',
  Successful: 'done',
  Failed: 'failed',
  Cancelled: 'cancelled',
};

export function buildGetAchievementBatchJob(id: LrsIdentity, jobId: number): WireObject {
  return { invokingUser: externalUser(id), jobId: String(jobId) };
}

export function parseGetAchievementBatchJob(body: SoapBody): AchievementJobResult {
  const r = resultNode(body, spec);
  const status = childText(r, 'Status')?.trim();
  const n = (name: string) => childNumber(r, name);
  return {
    ...resultBase(requireCode(r, spec.operation)),
    state: (status && STATES[status]) || 'unknown',
    status,
    jobId: n('JobID'),
    numberOfRecords: n('NumberOfRecords'),
    achievementsCreated: n('AchievementsCreated'),
    achievementsUpdated: n('AchievementsUpdated'),
    achievementsWithdrawn: n('AchievementsWithdrawn'),
    achievementsReinstated: n('AchievementsReinstated'),
    achievementsPromotedToFinal: n('AchievementsPromotedToFinal'),
    businessRuleErrors: n('BusinessRuleErrors'),
    fieldDataErrors: n('FieldDataErrors'),
    learnerDataErrors: n('LearnerDataErrors'),
    percentageSuccessfulRecords: n('PercentageSuccessfulRecords'),
    rejectionReason: childText(r, 'RejectionReason'),
    achievementBatchErrorFile: childText(r, 'AchievementBatchErrorFile'),
    startDate: childText(r, 'StartDate'),
    endDate: childText(r, 'EndDate'),
  };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const getAchievementBatchJob = {
  spec,
  build: buildGetAchievementBatchJob,
  parse: parseGetAchievementBatchJob,
};
