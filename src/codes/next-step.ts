/**
 * What happens after a failed LRS call, decided in one place for single calls, batch submits and batch
 * polls alike (River's NextRetry and JobSnooze are the model): the code's table entry gives the error
 * class, the retry policy gives the rule, and this turns them into one step. Only the worker wiring
 * (src/workers/) speaks the queue's API to carry the step out.
 */
import { retryDelayMs, type RetryPolicy } from './retry-policy.ts';
import { classifyFailure, explainCode } from './table.ts';
import type { ErrorClass } from './types.ts';

export type NextStep =
  /** Give the terminal answer now: retrying cannot help, or the attempts are used up. */
  | { step: 'settle'; errorClass: ErrorClass }
  /** Try this one job again after `delayMs`, using one of its attempts. */
  | { step: 'retry'; errorClass: ErrorClass; delayMs: number }
  /**
   * Stop the whole queue for `pauseMs` and put the job back without using an attempt: every job would meet
   * the same wall (the LRS in maintenance, out of its hours).
   */
  | { step: 'pause_queue'; errorClass: ErrorClass; pauseMs: number }
  /** Hold this job back for `delayMs` without using an attempt (another request for the learner is running). */
  | { step: 'wait'; delayMs: number };

/** Shortest wait, ms, for a code whose table entry says `waits`; up to twice more is added at random. */
export const WAIT_MS = 1_000;

/**
 * The next step after a call failed with `failure.code`. `attemptsMade` counts the attempts finished
 * before this one, from lrs.request.attempts less the one running (waits and pauses use none): a request's
 * own, or for a batch submit the most any member request has used. `random` spreads the delays of many jobs.
 */
export function decideNextStep(
  failure: { code: string },
  attemptsMade: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): NextStep {
  if (explainCode(failure.code).retry === 'waits')
    return { step: 'wait', delayMs: WAIT_MS * (1 + 2 * random()) };
  const errorClass = classifyFailure(failure);
  const rule = policy[errorClass];
  if (rule.pauseQueueMs !== undefined) return { step: 'pause_queue', errorClass, pauseMs: rule.pauseQueueMs };
  const attempt = attemptsMade + 1;
  if (attempt < rule.attempts)
    return { step: 'retry', errorClass, delayMs: retryDelayMs(rule, attempt, random) };
  return { step: 'settle', errorClass };
}
