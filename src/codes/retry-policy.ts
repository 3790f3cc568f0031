/**
 * The workers' retry behaviour per error class (graphile-worker keeps its retryable codes in one table too).
 * Which class a code belongs to is a column of the code table (src/codes/table.ts); `classifyFailure` there
 * reads it, and the retry text staff read is derived from the rules here.
 */
import type { ErrorClass, RetryDescription } from './types.ts';

export interface RetryRule {
  /** Attempts in all (1 = never retried). */
  attempts: number;
  /** First retry delay, ms; doubles per attempt, capped at maxDelayMs, ±20% jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Pause the whole queue instead of retrying the one job: every job would meet the same wall
   * (maintenance window, out of hours), so none should burn its attempts on it.
   */
  pauseQueueMs?: number;
}

export type RetryPolicy = Record<ErrorClass, RetryRule>;

/**
 * A request's attempts are counted across classes (lrs.request.attempts), so a register (two calls
 * per attempt) on a flaky LRS needs room: with 15% of calls failing, 10 attempts leave a one-in-300,000
 * chance of giving up; the backoff spreads them over roughly 15 (transport) to 30 (timeouts) minutes.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transport: { attempts: 10, baseDelayMs: 2_000, maxDelayMs: 5 * 60_000 },
  timeout: { attempts: 10, baseDelayMs: 5_000, maxDelayMs: 10 * 60_000 },
  maintenance: { attempts: 8, baseDelayMs: 60_000, maxDelayMs: 30 * 60_000, pauseQueueMs: 5 * 60_000 },
  out_of_hours: { attempts: 8, baseDelayMs: 60_000, maxDelayMs: 60 * 60_000, pauseQueueMs: 15 * 60_000 },
  rate_limited: { attempts: 10, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  // The LRS's own "unknown exception" (WSEC0999): it may fail the same way every time for this request, so
  // a few tries well apart (about 10 and 20 minutes), then a person looks.
  lrs_unexpected: { attempts: 3, baseDelayMs: 10 * 60_000, maxDelayMs: 30 * 60_000 },
  data_error: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  configuration: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
};

/** What staff read about a rule: never retried, retried with backoff, or retried after the window. */
export function describeRetry(rule: RetryRule): RetryDescription {
  if (rule.pauseQueueMs !== undefined) return 'after-window';
  return rule.attempts > 1 ? 'backoff' : 'never';
}

/**
 * The most attempts any class allows: a request that has used this many (lrs.request.attempts) and whose
 * job is gone is failed by the reconcile sweep.
 */
export function maxAttempts(policy: RetryPolicy): number {
  return Math.max(...Object.values(policy).map((r) => r.attempts));
}

/**
 * BullMQ's own `attempts` for a request job and for a batch submit job: a safety bound only, never the
 * retry decision. The decision (decideNextStep) reads lrs.request.attempts (for a batch submit, the most
 * any member request has used), which counts every attempt BullMQ counts (and one for each worker that
 * died mid-call), so it settles before BullMQ's count could reach this bound. The bound ends a job that
 * keeps failing where the decision never sees it (a bug, Postgres refusing the claim); the reconcile sweep
 * then puts its request back or fails it once, the batch sweep re-creates a lost submit job.
 */
export function jobAttemptsBound(policy: RetryPolicy): number {
  return maxAttempts(policy) * 3;
}

/** Delay before the next attempt: exponential with ±20% jitter, so retries of many jobs spread out. */
export function retryDelayMs(
  rule: RetryRule,
  attemptsMade: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}
