/**
 * Learner batches on LearnerService.svc: submitBatchRegistration / getBatchRegistrationOutput and
 * submitVerifyBatch / getVerifyBatchOutput. Records are processed at submission through the same
 * find-then-register logic as single calls (so they count in the stats); the output becomes visible
 * when the job's clock says done. JobStatus strings and per-learner ReturnCodes are our choice (docs/lrs.md §10).
 */
import { MESSAGES } from '../lrs/messages.ts';
import { jobForPoll, type BatchKind } from './batches.ts';
import type { SimContext } from './context.ts';
import { renderVerifiedLearner, readVerifyInput } from './ls-find.ts';
import { readRegisterFields, toNewLearner } from './ls-register.ts';
import { detach, el, formatMiapDateTime, miapEnvelope, NS, textOf, type XmlNode } from './xml.ts';

/** Per-learner ReturnCode of a registration batch and the output counter it adds to. */
export const RETURN_CODES = {
  RC001: { counter: 'new', meaning: 'no match found; learner registered, new ULN returned (FUL)' },
  RC002: { counter: 'existsUpdated', meaning: 'learner found (exact match or supplied ULN); ULN returned' },
  RC003: { counter: 'existsUpdated', meaning: 'linked learner found; master ULN returned' },
  RC004: { counter: 'notFound', meaning: 'no match found (CHK job; nothing registered)' },
  RC006: { counter: 'possibleMatch', meaning: 'possible match(es); a person must choose' },
  RC007: { counter: 'rejected', meaning: 'too many matches; add more details' },
  RC008: { counter: 'rejected', meaning: 'registration refused (WSRC0021 rules)' },
  RC009: { counter: 'rejected', meaning: 'supplied ULN not found' },
  RC010: {
    counter: 'rejected',
    meaning: 'insufficient data: DateOfBirth, Gender and LastKnownPostCode are needed to search',
  },
  RC011: { counter: 'rejected', meaning: 'AbilityToShare and VerificationType are needed to register' },
} as const;
export type ReturnCode = keyof typeof RETURN_CODES;

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
): { rc: ReturnCode; uln?: string | undefined } {
  const supplied = textOf(n, 'ULN');
  if (supplied !== '') {
    const l = ctx.store.get(supplied);
    if (!l) return { rc: 'RC009' };
    const master = ctx.store.master(l);
    return master === l ? { rc: 'RC002', uln: l.uln } : { rc: 'RC003', uln: master.uln };
  }
  const fields = readRegisterFields(n);
  const d = toNewLearner(fields);
  if (!d.dateOfBirth || !d.gender || !d.lastKnownPostCode) return { rc: 'RC010' };
  const found = ctx.store.find(d);
  if (jobType === 'FUL') ctx.store.recordSearch(orgId, d, found.code, now);
  switch (found.code) {
    case 'WSRC0004':
      return { rc: 'RC002', uln: found.learner.uln };
    case 'WSRC0022':
      return { rc: 'RC003', uln: found.learner.uln };
    case 'WSRC0003':
      return { rc: 'RC006' };
    case 'WSRC0002':
      return { rc: 'RC007' };
  }
  if (jobType !== 'FUL') return { rc: 'RC004' };
  if (!fields.abilityToShare || !fields.verificationType) return { rc: 'RC011' };
  const registered = ctx.store.register(orgId, d, now);
  return registered.code === 'WSRC0005' ? { rc: 'RC001', uln: registered.uln } : { rc: 'RC008' };
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
    const { rc, uln } = processRegistration(ctx, orgId, jobType, n, now);
    counts[RETURN_CODES[rc].counter]++;
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
  if (Number(textOf(root, 'LearnerRecordCount')) !== learners.length)
    return submitResponse('vldmsg', 'WSRC0017');
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
