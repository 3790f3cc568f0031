/**
 * Learner batches on LearnerService.svc: submitBatchRegistration / getBatchRegistrationOutput and
 * submitVerifyBatch / getVerifyBatchOutput. Records are processed at submission through the same
 * find-then-register logic as single calls (so they count in the stats); the output becomes visible
 * when the job's clock says done. JobStatus strings are our choice (docs/lrs.md §10); per-learner ReturnCodes
 * mean what the code table says.
 */
import { ageOn, PERMITTED_AGE } from '../lrs/age.ts';
import { MESSAGES } from '../lrs/messages.ts';
import { jobForPoll, type BatchKind } from './batches.ts';
import type { SimContext } from './context.ts';
import { renderVerifiedLearner, readVerifyInput } from './ls-find.ts';
import { readRegisterFields, toNewLearner } from './ls-register.ts';
import { detach, el, formatMiapDateTime, miapEnvelope, NS, textOf, type XmlNode } from './xml.ts';

/**
 * Per-learner ReturnCodes the simulator sends and the output counter each adds to. Their meanings are the
 * code table's (src/codes/batch-return-codes.ts), so the simulator and lrs-relay read them alike.
 */
export const RETURN_CODES = [
  'RC001',
  'RC002',
  'RC003',
  'RC004',
  'RC006',
  'RC007',
  'RC008',
  'RC009',
  'RC011',
] as const;
export type ReturnCode = (typeof RETURN_CODES)[number];
type Counter = 'new' | 'existsUpdated' | 'possibleMatch' | 'notFound' | 'rejected';

/** JobStatus strings (the real literals are unknown). */
export const JOB_STATUS = {
  submitted: 'Submitted',
  inProgress: 'InProgress',
  done: 'Completed',
  failed: 'Failed',
} as const;

const BATCH_LEARNER_FIELDS = (
  MESSAGES.submitBatchRegistration.fields.find((f) => f.name === 'Learner')?.children ?? []
).map((f) => f.name);

function processRegistration(
  ctx: SimContext,
  orgId: string,
  jobType: string,
  n: XmlNode,
  now: number,
): { rc: ReturnCode; counter: Counter; uln?: string | undefined } {
  const supplied = textOf(n, 'ULN');
  if (supplied !== '') {
    const l = ctx.store.get(supplied);
    if (!l) return { rc: 'RC009', counter: 'rejected' };
    const master = ctx.store.master(l);
    return master === l
      ? { rc: 'RC002', counter: 'existsUpdated', uln: l.uln }
      : { rc: 'RC003', counter: 'existsUpdated', uln: master.uln };
  }
  const fields = readRegisterFields(n);
  const d = toNewLearner(fields);
  if (!d.dateOfBirth || !d.gender || !d.lastKnownPostCode) return { rc: 'RC006', counter: 'rejected' };
  // Web-service batches get the catch-all RC011 for a learner outside the permitted ages (the portal, RC013).
  // The one definition of the permitted ages, shared with lrs-relay's own check before sending (src/lrs/age.ts).
  const age = ageOn(d.dateOfBirth, new Date(now));
  if (age === undefined || age < PERMITTED_AGE.min || age > PERMITTED_AGE.max)
    return { rc: 'RC011', counter: 'rejected' };
  const found = ctx.store.find(d);
  if (jobType === 'FUL') ctx.store.recordSearch(orgId, d, found.code, now);
  switch (found.code) {
    case 'WSRC0004':
      return { rc: 'RC002', counter: 'existsUpdated', uln: found.learner.uln };
    case 'WSRC0022':
      return { rc: 'RC003', counter: 'existsUpdated', uln: found.learner.uln };
    case 'WSRC0003':
      return { rc: 'RC008', counter: 'possibleMatch' };
    case 'WSRC0002':
      return { rc: 'RC007', counter: 'rejected' };
  }
  if (jobType !== 'FUL') return { rc: 'RC004', counter: 'notFound' };
  if (!fields.abilityToShare || !fields.verificationType) return { rc: 'RC011', counter: 'rejected' };
  const registered = ctx.store.register(orgId, d, now);
  return registered.code === 'WSRC0005'
    ? { rc: 'RC001', counter: 'new', uln: registered.uln }
    : { rc: 'RC008', counter: 'rejected' };
}

function echoBatchLearner(n: XmlNode, uln: string | undefined, rc: ReturnCode): string {
  let x = `<Learner>${el('ULN', uln ?? (textOf(n, 'ULN') || undefined))}`;
  for (const name of BATCH_LEARNER_FIELDS) {
    if (name === 'ULN') continue;
    const v = textOf(n, name);
    if (v !== '') x += el(name, v);
  }
  return `${x}<ReturnCode>${rc}</ReturnCode></Learner>`;
}

function submitResponse(kind: 'batchmsg' | 'vldmsg', code: string, jobId?: number): string {
  const root = kind === 'batchmsg' ? 'SubmitBatchResponse' : 'SubmitVerifyBatchResponse';
  return miapEnvelope(
    `<ns2:${root} xmlns:ns2="${NS[kind]}">${el('ResponseCode', code)}${el('JobID', jobId)}</ns2:${root}>`,
  );
}

export function handleSubmitBatch(ctx: SimContext, root: XmlNode, orgId: string): string {
  const learners = root.children.filter((c) => c.name === 'Learner');
  if (Number(textOf(root, 'LearnerRecordCount')) !== learners.length)
    return submitResponse('batchmsg', 'WSRC0017');
  const now = ctx.now();
  const jobType = textOf(root, 'JobType');
  const counts = { new: 0, existsUpdated: 0, possibleMatch: 0, notFound: 0, rejected: 0 };
  let rows = '';
  for (const n of learners) {
    ctx.stats.countSubmission('registration', textOf(n, 'MISIdentifier'));
    const { rc, counter, uln } = processRegistration(ctx, orgId, jobType, n, now);
    counts[counter]++;
    rows += echoBatchLearner(n, uln, rc);
  }
  const output =
    `${el('NewLearnersCount', counts.new)}${el('ExistsUpdatedLearnersCount', counts.existsUpdated)}${el('PossibleMatchLearnersCount', counts.possibleMatch)}` +
    `${el('LearnersNotFoundCount', counts.notFound)}${el('RejectedLearnersCount', counts.rejected)}\u0000${rows}`;
  const job = ctx.batches.create(
    {
      kind: 'registration',
      orgId,
      submittedAt: now,
      failed: counts.rejected === learners.length,
      records: learners.length,
      output: detach(output),
    },
    now,
  );
  return submitResponse('batchmsg', 'WSRC0007', job.id);
}

export function handleSubmitVerifyBatch(ctx: SimContext, root: XmlNode, orgId: string): string {
  const learners = root.children.filter((c) => c.name === 'Learner');
  // The verify counterpart of WSRC0017.
  if (Number(textOf(root, 'LearnerRecordCount')) !== learners.length)
    return submitResponse('vldmsg', 'WSRC0030');
  const now = ctx.now();
  let rows = '';
  for (const n of learners) {
    const input = readVerifyInput(n);
    ctx.stats.countSubmission('verify', input.misIdentifier);
    rows += renderVerifiedLearner(ctx, input).xml;
  }
  const job = ctx.batches.create(
    {
      kind: 'verify',
      orgId,
      submittedAt: now,
      failed: false,
      records: learners.length,
      output: detach(`\u0000${rows}`),
    },
    now,
  );
  return submitResponse('vldmsg', 'WSRC0007', job.id);
}

/**
 * A poll answer: WSRC0018 unknown job; WSRC0008 until done; then WSRC0009 (or WSRC0010 when every record was
 * rejected) with the output. Output is rendered at submission as `<counters>\0<rows>`; timestamps go between.
 */
function pollResponse(
  ctx: SimContext,
  root: XmlNode,
  orgId: string,
  kind: BatchKind,
  operation: string,
  ns: 'batchmsg' | 'vldmsg',
  name: string,
): string {
  const now = ctx.now();
  const found = jobForPoll(ctx, operation, Number(textOf(root, 'JobID')), kind, orgId, now);
  const wrap = (inner: string) => miapEnvelope(`<ns2:${name} xmlns:ns2="${NS[ns]}">${inner}</ns2:${name}>`);
  if (!found) return wrap('<ResponseCode>WSRC0018</ResponseCode>');
  const { job, state } = found;
  const started = state === 'submitted' ? undefined : formatMiapDateTime(job.startAt);
  if (state === 'submitted' || state === 'inProgress')
    return wrap(
      `<ResponseCode>WSRC0008</ResponseCode>${el('JobStatus', JOB_STATUS[state])}${el('JobStartedDateTime', started)}`,
    );
  ctx.batches.markFetched(job, now);
  const cut = job.output.indexOf('\u0000');
  const times = `${el('JobStartedDateTime', started)}${el('JobFinishedDateTime', formatMiapDateTime(job.doneAt))}`;
  return wrap(
    `<ResponseCode>${state === 'failed' ? 'WSRC0010' : 'WSRC0009'}</ResponseCode>${el('JobStatus', JOB_STATUS[state])}${job.output.slice(0, cut)}${times}${job.output.slice(cut + 1)}`,
  );
}

export function handleBatchOutput(ctx: SimContext, root: XmlNode, orgId: string): string {
  return pollResponse(
    ctx,
    root,
    orgId,
    'registration',
    'getBatchRegistrationOutput',
    'batchmsg',
    'GetSubmitBatchOutputResponse',
  );
}

export function handleVerifyBatchOutput(ctx: SimContext, root: XmlNode, orgId: string): string {
  return pollResponse(
    ctx,
    root,
    orgId,
    'verify',
    'getVerifyBatchOutput',
    'vldmsg',
    'GetVerifyBatchOutputResponse',
  );
}
