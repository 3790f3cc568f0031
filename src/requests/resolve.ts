/**
 * Turns LRS results and errors into a request's terminal state. The status follows the code's class
 * in the catalogue (one table, not scattered ifs); each operation only adds what it returned.
 */
import { RELAY_CODES } from '../codes/client-codes.ts';
import { explainCode } from '../codes/table.ts';
import type { LrsError } from '../lrs/errors.ts';
import type { CodeClass, FindResult, LearningEventsResult, VerifyResult } from '../lrs/types.ts';
import type { Resolution } from '../db/requests.ts';

const STATUS_BY_CLASS: Record<CodeClass, Resolution['status']> = {
  success: 'succeeded',
  outcome: 'succeeded',
  needs_action: 'needs_action',
  data_error: 'needs_action',
  config_error: 'failed',
  retryable: 'failed',
  unknown: 'needs_action',
};

/** The terminal status for a code of a class. Our own validation refusals are `rejected` (never sent). */
export function statusFor(code: string, cls: CodeClass): Resolution['status'] {
  if (code === RELAY_CODES.LOCAL_VALIDATION) return 'rejected';
  return STATUS_BY_CLASS[cls];
}

/** A resolution for a code, with the catalogue's class and the meaning as description. */
export function resolutionFor(
  code: string,
  codeSource: 'lrs' | 'relay',
  extra: Partial<Resolution> = {},
): Resolution {
  const entry = explainCode(code);
  return {
    status: statusFor(code, entry.class),
    code,
    codeSource,
    class: entry.class,
    description: entry.meaning,
    ...extra,
  };
}

/** A request refused before sending by one of our own checks (`rejected`), listing each problem. */
export function notSent(code: string, problems: { field: string; message: string }[]): Resolution {
  return resolutionFor(code, 'relay', {
    status: 'rejected',
    problems,
    description: `Not sent: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
  });
}

/** The terminal resolution for an LRS call failure that will not be retried. */
export function resolutionForError(err: LrsError): Resolution {
  const problems = err.problems.length > 0 ? err.problems : undefined;
  const description = [err.message, err.furtherDetails].filter(Boolean).join(' — ');
  return {
    status: statusFor(err.code, err.class),
    code: err.code,
    codeSource: err.codeSource,
    class: err.class,
    description,
    problems,
  };
}

export function resolutionForFind(r: FindResult): Resolution {
  const base = resolutionFor(r.code, 'lrs');
  switch (r.outcome) {
    case 'exact':
      return { ...base, uln: r.learner.uln, learner: r.learner };
    case 'linked':
      return {
        ...base,
        uln: r.learner.uln,
        masterUln: r.learner.uln,
        linkedUlns: r.linkedUlns,
        learner: r.learner,
      };
    case 'possible':
      return { ...base, candidates: r.candidates };
    case 'unknown':
      return { ...base, candidates: r.learners.length > 0 ? r.learners : undefined };
    default:
      return base;
  }
}

export function resolutionForVerify(r: VerifyResult): Resolution {
  return {
    ...resolutionFor(r.code, 'lrs'),
    uln: r.verified.uln,
    failureFlags: r.verified.failureFlags,
    detail: { verified: r.verified },
  };
}

export function resolutionForLearningEvents(r: LearningEventsResult): Resolution {
  const uln = r.foundUln ?? r.incomingUln;
  return {
    ...resolutionFor(r.code, 'lrs'),
    uln: r.foundUln,
    masterUln: r.outcome === 'linked' ? r.foundUln : undefined,
    detail: { incomingUln: r.incomingUln, foundUln: r.foundUln, events: r.events.length },
    events: uln ? r.events.map((event) => ({ uln, event: event as Record<string, unknown> })) : undefined,
  };
}
