/** SubmitAchievementBatchJob (docs/lrs.md §4.13, ExternalService.svc): up to 10,000 achievements in one job. */
import { asXsDateTime } from '../dates.ts';
import { MESSAGES, type WireObject } from '../messages.ts';
import type { Achievement, LrsIdentity, SubmitAchievementsResult } from '../types.ts';
import { childNumber, type SoapBody } from '../xml.ts';
import { childFields, fieldsToWire, opt, requireCode, resultBase, resultNode } from './common.ts';

export const spec = MESSAGES.submitAchievementBatchJob;
export type SubmitAchievementsInput = {
  achievements: Achievement[];
  emailAddress?: string;
  submissionType?: string;
};

/** External `User` (model namespace, alphabetical members). */
export function externalUser(id: LrsIdentity): WireObject {
  return { OrgPassword: id.password, OrganisationRef: opt(id.organisationRef), UserName: id.userName };
}

/** The three xs:dateTime members, written from a MIS date, timestamp or date text (dates.ts). */
function withWireDates(a: Achievement): Achievement {
  return {
    ...a,
    achievementAwardDate: asXsDateTime(a.achievementAwardDate),
    actionDate: asXsDateTime(a.actionDate),
    dateOfBirth: a.dateOfBirth === undefined ? undefined : asXsDateTime(a.dateOfBirth),
  };
}

export function buildSubmitAchievementBatchJob(id: LrsIdentity, input: SubmitAchievementsInput): WireObject {
  const fields = childFields(childFields(spec.fields, 'achievements'), 'Achievement');
  return {
    invokingUser: externalUser(id),
    emailAddress: opt(input.emailAddress),
    submissionType: opt(input.submissionType),
    achievements: { Achievement: input.achievements.map((a) => fieldsToWire(fields, withWireDates(a))) },
  };
}

export function parseSubmitAchievementBatchJob(body: SoapBody): SubmitAchievementsResult {
  const r = resultNode(body, spec);
  return { ...resultBase(requireCode(r, spec.operation)), jobId: childNumber(r, 'JobId') };
}

/** The operation as the client's table holds it: message description, request builder, answer reader. */
export const submitAchievementBatchJob = {
  spec,
  build: buildSubmitAchievementBatchJob,
  parse: parseSubmitAchievementBatchJob,
};
