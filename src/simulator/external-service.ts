/**
 * ExternalService.svc: achievement batch jobs (docs/lrs.md §4.13, §7.3). Dispatch on SOAPAction; each achievement
 * is checked against the register (ULN + names) and, when created, appears on the learner's PLR as an AO event.
 * ResponseCode literals are unknown; we use WSRC0007 (submitted), WSRC0008 (running), WSRC0009 (finished), WSRC0018 (unknown job).
 */
import type { LearningEvent } from '../lrs/types.ts';
import { jobForPoll } from './batches.ts';
import type { SimContext, SimResponse } from './context.ts';
import { xmlResponse } from './context.ts';
import { actionNotSupportedFault, domainFault, quoteRequest, WSEC_DESCRIPTIONS } from './faults.ts';
import { normaliseName } from './match.ts';
import { deserializationFault, m, member, memberNode, mNil, wcfResult } from './wcf.ts';
import { detach, formatMiapDateTime, formatWcfDateTime, NS, type XmlNode } from './xml.ts';

const ACTION_PREFIX = 'http://api.lrs.qcf.gov.uk/services/IExternalService/';
const OPERATIONS = ['SubmitAchievementBatchJob', 'GetAchievementBatchJob'] as const;

/** Achievement `Action` codes (the real code set is unknown). */
export const ACHIEVEMENT_ACTIONS = {
  1: 'create',
  2: 'update',
  3: 'withdraw',
  4: 'reinstate',
  5: 'promoteToFinal',
} as const;

const REQUIRED = [
  'AchievementAwardDate',
  'Action',
  'ActionDate',
  'FamilyName',
  'GivenName',
  'ProviderUkprn',
  'Uln',
  'UnitOrQualificationReferenceNumber',
];

interface AchievementCounters {
  created: number;
  updated: number;
  withdrawn: number;
  reinstated: number;
  promoted: number;
  businessRuleErrors: number;
  fieldDataErrors: number;
  learnerDataErrors: number;
  records: number;
  errorRows: string[];
  user: string;
}

export function externalOperation(action: string): string | undefined {
  if (!action.startsWith(ACTION_PREFIX)) return undefined;
  const op = action.slice(ACTION_PREFIX.length);
  return (OPERATIONS as readonly string[]).includes(op) ? op : undefined;
}

function fail(ctx: SimContext, code: keyof typeof WSEC_DESCRIPTIONS, detail?: string): SimResponse {
  ctx.stats.countFault(code);
  return xmlResponse(domainFault(code, detail ?? WSEC_DESCRIPTIONS[code]), 500);
}

export function handleExternal(ctx: SimContext, action: string, root: XmlNode): SimResponse {
  const op = externalOperation(action);
  if (!op) {
    ctx.stats.countCall('unknown');
    ctx.stats.countFault('ActionNotSupported');
    return xmlResponse(actionNotSupportedFault(action), 500);
  }
  ctx.stats.countCall(op);
  if (root.name !== op || root.ns !== NS.services)
    return xmlResponse(deserializationFault(op, NS.services, root), 500);
  if (ctx.outOfHours(op)) return fail(ctx, 'WSEC0004');
  const user = memberNode(root, 'invokingUser', NS.services);
  const auth = ctx.orgs.authenticate(
    {
      organisationRef: member(user, 'OrganisationRef', NS.model),
      password: member(user, 'OrgPassword', NS.model) ?? '',
    },
    [op, op === 'SubmitAchievementBatchJob' ? 'submitAchievementBatchJob' : 'getAchievementBatchJob'],
  );
  if (!auth.ok) return fail(ctx, auth.code);
  const userName = member(user, 'UserName', NS.model) ?? '';
  return op === 'SubmitAchievementBatchJob'
    ? submit(ctx, root, auth.orgId, userName)
    : poll(ctx, root, auth.orgId);
}

function submit(ctx: SimContext, root: XmlNode, orgId: string, userName: string): SimResponse {
  const list =
    memberNode(root, 'achievements', NS.services)?.children.filter(
      (c) => c.name === 'Achievement' && c.ns === NS.services,
    ) ?? [];
  if (list.length > ctx.limits.achievement)
    return fail(ctx, 'WSEC0046', `A job may hold at most ${ctx.limits.achievement} achievements.`);
  const now = ctx.now();
  const c: AchievementCounters = {
    created: 0,
    updated: 0,
    withdrawn: 0,
    reinstated: 0,
    promoted: 0,
    businessRuleErrors: 0,
    fieldDataErrors: 0,
    learnerDataErrors: 0,
    records: list.length,
    errorRows: [],
    user: userName,
  };
  const errorDetails = ctx.achievementErrorDetails();
  list.forEach((a, i) => {
    const v = (name: string) => member(a, name, NS.services);
    ctx.stats.countSubmission('achievement', v('MisIdentifier'));
    if (errorDetails !== '') {
      // The achievementErrorDetails fault: the record refused with text quoting it (one line per row).
      c.learnerDataErrors++;
      c.errorRows.push(`${i + 1},LearnerDataError,${quoteRequest(errorDetails, a).replace(/[\r\n]+/g, ' ')}`);
      return;
    }
    if (REQUIRED.some((name) => !v(name))) {
      c.fieldDataErrors++;
      c.errorRows.push(`${i + 1},FieldDataError,a required field is missing`);
      return;
    }
    const l = ctx.store.get(v('Uln') ?? '');
    const master = l ? ctx.store.master(l) : undefined;
    if (
      !l ||
      !master ||
      normaliseName(v('FamilyName')) !== normaliseName(l.familyName) ||
      normaliseName(v('GivenName')) !== normaliseName(l.givenName)
    ) {
      c.learnerDataErrors++;
      c.errorRows.push(`${i + 1},LearnerDataError,ULN not found or names do not match`);
      return;
    }
    const action = ACHIEVEMENT_ACTIONS[Number(v('Action')) as keyof typeof ACHIEVEMENT_ACTIONS];
    if (!action) {
      c.businessRuleErrors++;
      c.errorRows.push(`${i + 1},BusinessRuleError,unknown Action code`);
      return;
    }
    if (action === 'create') {
      c.created++;
      ctx.store.addEvent(master.uln, achievementEvent(a, now));
    } else if (action === 'update') c.updated++;
    else if (action === 'withdraw') c.withdrawn++;
    else if (action === 'reinstate') c.reinstated++;
    else c.promoted++;
  });
  const ok = c.records - c.fieldDataErrors - c.learnerDataErrors - c.businessRuleErrors;
  const job = ctx.batches.create(
    {
      kind: 'achievement',
      orgId,
      submittedAt: now,
      failed: c.records > 0 && ok === 0,
      records: c.records,
      output: JSON.stringify(c),
    },
    now,
  );
  return xmlResponse(
    wcfResult(
      'SubmitAchievementBatchJob',
      NS.services,
      `${m('ResponseCode', 'WSRC0007')}${m('JobId', job.id)}`,
    ),
  );
}

function achievementEvent(a: XmlNode, now: number): LearningEvent {
  const v = (name: string) => {
    const text = member(a, name, NS.services);
    return text === undefined ? undefined : detach(text);
  };
  return {
    achievementAwardDate: v('AchievementAwardDate')?.slice(0, 10),
    achievementProviderName: '',
    achievementProviderUkprn: '',
    awardingOrganisationName: 'Simulator Awarding Organisation',
    awardingOrganisationUkprn: v('ProviderUkprn'),
    credits: 0,
    dateLoaded: formatMiapDateTime(now),
    grade: v('Grade'),
    id: 50_000_000 + (now % 10_000_000),
    languageForAssessment: v('LanguageForAssessment'),
    level: 'Level 2',
    qualificationType: 'Qualification',
    source: 'AO',
    status: 'F',
    subject: `Qualification ${v('UnitOrQualificationReferenceNumber') ?? ''}`,
    subjectCode: v('UnitOrQualificationReferenceNumber'),
    underDataChallenge: 'N',
  };
}

function poll(ctx: SimContext, root: XmlNode, orgId: string): SimResponse {
  const now = ctx.now();
  const id = Number(member(root, 'jobId', NS.services));
  const found = Number.isInteger(id)
    ? jobForPoll(ctx, 'GetAchievementBatchJob', id, 'achievement', orgId, now)
    : undefined;
  if (!found)
    return xmlResponse(wcfResult('GetAchievementBatchJob', NS.services, m('ResponseCode', 'WSRC0018')));
  const { job, state } = found;
  const c = JSON.parse(job.output) as AchievementCounters;
  const finished = state === 'done' || state === 'failed';
  const status = { submitted: 'Waiting', inProgress: 'InProgress', done: 'Successful', failed: 'Failed' }[
    state
  ];
  const n = (v: number) => (finished ? v : 0);
  const ok = c.records - c.fieldDataErrors - c.learnerDataErrors - c.businessRuleErrors;
  if (finished) ctx.batches.markFetched(job, now);
  const seconds = Math.round((job.doneAt - job.startAt) / 1000);
  const inner =
    `${m('ResponseCode', finished ? 'WSRC0009' : 'WSRC0008')}${mNil('AchievementBatchErrorFile', finished && c.errorRows.length > 0 ? `Row,Error,Description\n${c.errorRows.join('\n')}` : undefined)}` +
    `${m('AchievementsCreated', n(c.created))}${m('AchievementsPromotedToFinal', n(c.promoted))}${m('AchievementsReinstated', n(c.reinstated))}` +
    `${m('AchievementsUpdated', n(c.updated))}${m('AchievementsWithdrawn', n(c.withdrawn))}${m('BusinessRuleErrors', n(c.businessRuleErrors))}` +
    `${mNil('Duration', finished ? `00:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}` : undefined)}` +
    `${mNil('EndDate', finished ? formatWcfDateTime(job.doneAt) : undefined)}${m('FieldDataErrors', n(c.fieldDataErrors))}${m('Filename', `ACH_${orgId}_${job.id}.XML`)}` +
    `${m('JobID', job.id)}${m('LearnerDataErrors', n(c.learnerDataErrors))}${m('NumberOfRecords', c.records)}` +
    `${m('PercentageSuccessfulRecords', finished && c.records > 0 ? Math.round((ok / c.records) * 10000) / 100 : 0)}` +
    `${mNil('RejectionReason', state === 'failed' ? 'Every record in the job was rejected.' : undefined)}${mNil('StartDate', state === 'submitted' ? undefined : formatWcfDateTime(job.startAt))}` +
    `${m('Status', status)}${m('SubmittedDate', formatWcfDateTime(job.submittedAt))}${m('SuccessfulFinalAchievements', n(ok))}${m('SuccessfulProvisionalAchievements', 0)}` +
    `${m('Type', 'Achievement')}${m('User', c.user)}`;
  return xmlResponse(wcfResult('GetAchievementBatchJob', NS.services, inner));
}
