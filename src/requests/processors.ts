/**
 * One processor per request kind. Each takes the request (re-read from Postgres), calls the LRS through
 * `ctx.call` (which audits every call) and returns the terminal resolution, or throws an LrsError for
 * the runner to retry or settle.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import { ageProblem } from '../lrs/age.ts';
import type { OperationName } from '../lrs/messages.ts';
import type { LrsClient, LrsIdentity, LearnerToUpdate, LrsLearner } from '../lrs/types.ts';
import { demographicsOf, learnerToRegisterOf, parsePayload, type PayloadOf } from './payload.ts';
import type { SingleCallKind } from '../db/kinds.ts';
import {
  acquireRegisterLock,
  releaseRegisterLock,
  setRegisterInDoubt,
  type RequestRow,
  type Resolution,
} from '../db/requests.ts';
import {
  notSent,
  resolutionFor,
  resolutionForFind,
  resolutionForLearningEvents,
  resolutionForVerify,
} from './resolve.ts';

export interface ProcessContext {
  request: RequestRow;
  identity: LrsIdentity;
  client: LrsClient;
  pool: pg.Pool;
  signal: AbortSignal;
  /** Runs one LRS call and records it for the audit (named as the client names it, so audit rows and metrics agree). */
  call<T extends { code: string }>(operation: OperationName, fn: () => Promise<T>): Promise<T>;
  options: ProcessorOptions;
}

export interface ProcessorOptions {
  /** How long a register request may hold its learner's registration lock, ms (default 5 min). */
  registerLockTtlMs: number;
  /** Re-reads after WSRC0013 before giving up (default 3). */
  updateConflictRetries: number;
}

export const DEFAULT_PROCESSOR_OPTIONS: ProcessorOptions = {
  registerLockTtlMs: 5 * 60_000,
  updateConflictRetries: 3,
};

/** Thrown when another request holds the learner's registration lock: the runner delays the job. */
export class LearnerBusyError extends Error {
  override readonly name = 'LearnerBusyError';
}

type Processor = (ctx: ProcessContext) => Promise<Resolution>;

function badPayload(problems: { field: string; message: string }[]): Resolution {
  return resolutionFor(PIPELINE_CODES.BAD_REQUEST_PAYLOAD, 'relay', { status: 'rejected', problems });
}

const findByUln: Processor = async (ctx) => {
  const p = parsePayload('find_by_uln', ctx.request.payload);
  if (!p.ok) return badPayload(p.problems);
  const r = await ctx.call('learnerByUln', () =>
    ctx.client.learnerByUln(ctx.identity, { ...p.value, findType: 'FUL' }, { signal: ctx.signal }),
  );
  return resolutionForFind(r);
};

const findByDemographics: Processor = async (ctx) => {
  const p = parsePayload('find_by_demographics', ctx.request.payload);
  if (!p.ok) return badPayload(p.problems);
  const r = await ctx.call('learnerByDemographics', () =>
    ctx.client.learnerByDemographics(
      ctx.identity,
      { ...demographicsOf(p.value), findType: 'FUL' },
      { signal: ctx.signal },
    ),
  );
  return resolutionForFind(r);
};

/** Same person ⇒ same key: names and postcode compared without case or spaces, as the LRS matches them. */
export function registrationIdentityKey(p: PayloadOf<'register'>): string {
  const norm = (s: string) => s.toUpperCase().replace(/\s+/g, '');
  return createHash('sha256')
    .update([norm(p.givenName), norm(p.familyName), p.dateOfBirth.trim()].join('\u0000'))
    .digest('hex');
}

/**
 * Register: search first (the LRS requires it, and it is how we avoid duplicates), register only on no
 * match. A per-person lock keeps two requests for one learner from both registering; after an answer
 * was lost (register_in_doubt) the next attempt's search finds the learner we registered.
 */
const register: Processor = async (ctx) => {
  const p = parsePayload('register', ctx.request.payload);
  if (!p.ok) return badPayload(p.problems);
  // Not sent at all (not even the search) for a learner the LRS would not register at the request's date.
  const age = ageProblem(p.value.dateOfBirth, ctx.request.createdAt);
  if (age) return notSent(PIPELINE_CODES.AGE_OUT_OF_RANGE, [age]);
  const key = registrationIdentityKey(p.value);
  if (!(await acquireRegisterLock(ctx.pool, key, ctx.request.id, ctx.options.registerLockTtlMs))) {
    throw new LearnerBusyError('another request is registering the same learner');
  }
  try {
    const found = await ctx.call('learnerByDemographics', () =>
      ctx.client.learnerByDemographics(
        ctx.identity,
        { ...demographicsOf(p.value), findType: 'FUL' },
        { signal: ctx.signal },
      ),
    );
    if (found.outcome !== 'no_match') {
      const res = resolutionForFind(found);
      if (found.outcome === 'exact' && ctx.request.registerInDoubt) {
        res.description =
          'Found: registered by an earlier attempt whose answer was lost. No second registration was made.';
      } else if (found.outcome === 'exact' || found.outcome === 'linked') {
        res.description =
          'Already registered: the existing ULN was recorded and no new learner was registered.';
      }
      return res;
    }
    await setRegisterInDoubt(ctx.pool, ctx.request.id, true);
    const reg = await ctx.call('registerSingleLearner', () =>
      ctx.client.registerSingleLearner(ctx.identity, learnerToRegisterOf(p.value), { signal: ctx.signal }),
    );
    return resolutionFor(reg.code, 'lrs', { uln: reg.uln });
  } finally {
    await releaseRegisterLock(ctx.pool, key, ctx.request.id);
  }
};

function learnerToUpdate(current: LrsLearner, p: PayloadOf<'update'>): LearnerToUpdate {
  const { uln: _uln, ...fields } = p;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return {
    title: current.title,
    middleOtherName: current.middleOtherName,
    preferredGivenName: current.preferredGivenName,
    previousFamilyName: current.previousFamilyName,
    familyNameAtAge16: current.familyNameAtAge16,
    schoolAtAge16: current.schoolAtAge16,
    lastKnownAddressLine1: current.lastKnownAddressLine1,
    lastKnownAddressLine2: current.lastKnownAddressLine2,
    lastKnownAddressTown: current.lastKnownAddressTown,
    lastKnownAddressCountyOrCity: current.lastKnownAddressCountyOrCity,
    dateOfAddressCapture: current.dateOfAddressCapture,
    placeOfBirth: current.placeOfBirth,
    emailAddress: current.emailAddress,
    nationality: current.nationality,
    scottishCandidateNumber: current.scottishCandidateNumber,
    otherVerificationDescription: current.otherVerificationDescription,
    notes: current.notes,
    ...(defined as Partial<LearnerToUpdate>),
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    lastKnownPostCode: p.lastKnownPostCode,
    verificationType: p.verificationType ?? current.verificationType ?? '',
    abilityToShare: p.abilityToShare ?? current.abilityToShare ?? '',
    uln: current.uln,
    versionNumber: current.versionNumber ?? 0,
  };
}

/** Update: read the current record (for its VersionNumber), update; WSRC0013 → read again, bounded. */
const update: Processor = async (ctx) => {
  const p = parsePayload('update', ctx.request.payload);
  if (!p.ok) return badPayload(p.problems);
  for (let conflict = 0; ; conflict++) {
    // The LRS checks names against the ULN: read with the names the LRS holds now is not possible, so
    // the MIS's current names are used; a name change shows up as no match and needs a person.
    const found = await ctx.call('learnerByUln', () =>
      ctx.client.learnerByUln(
        ctx.identity,
        { uln: p.value.uln, givenName: p.value.givenName, familyName: p.value.familyName, findType: 'FUL' },
        { signal: ctx.signal },
      ),
    );
    if (found.outcome !== 'exact' && found.outcome !== 'linked') {
      // Nothing to update: the MIS holds a ULN (or names) the LRS does not recognise. A person must look.
      return {
        ...resolutionForFind(found),
        status: 'needs_action',
        description:
          'The learner was not found by this ULN and these names, so no update was sent. Check the ULN and names in the MIS.',
      };
    }
    const res = await ctx.call('updateSingleLearner', () =>
      ctx.client.updateSingleLearner(ctx.identity, learnerToUpdate(found.learner, p.value), {
        signal: ctx.signal,
      }),
    );
    if (res.outcome !== 'stale_version') {
      return resolutionFor(res.code, 'lrs', {
        uln: found.learner.uln,
        masterUln: found.outcome === 'linked' ? found.learner.uln : undefined,
      });
    }
    if (conflict >= ctx.options.updateConflictRetries) {
      return resolutionFor(PIPELINE_CODES.UPDATE_CONFLICT, 'relay', { uln: found.learner.uln });
    }
  }
};

const verify: Processor = async (ctx) => {
  const p = parsePayload('verify', ctx.request.payload);
  if (!p.ok) return badPayload(p.problems);
  const r = await ctx.call('verifyLearner', () =>
    ctx.client.verifyLearner(ctx.identity, { ...p.value }, { signal: ctx.signal }),
  );
  return resolutionForVerify(r);
};

const learningEvents: Processor = async (ctx) => {
  const p = parsePayload('learning_events', ctx.request.payload);
  if (!p.ok) return badPayload(p.problems);
  const r = await ctx.call('getLearnerLearningEvents', () =>
    ctx.client.getLearnerLearningEvents(ctx.identity, { ...p.value }, { signal: ctx.signal }),
  );
  return resolutionForLearningEvents(r);
};

export const PROCESSORS: Record<SingleCallKind, Processor> = {
  find_by_uln: findByUln,
  find_by_demographics: findByDemographics,
  register,
  update,
  verify,
  learning_events: learningEvents,
};
