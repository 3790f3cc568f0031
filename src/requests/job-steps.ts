/**
 * The typed results a request, submit or poll job throws when it is not finished: the worker wiring
 * (src/workers/) turns each into the queue's own mechanism, so the job code never speaks the queue's API
 * for retries and pauses. The step itself comes from decideNextStep (src/codes/next-step.ts).
 */
import type { ErrorClass } from '../codes/types.ts';

/** Try the job again after `delayMs`, using one of its attempts. */
export class RetryableJobError extends Error {
  override readonly name = 'RetryableJobError';
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    /** Delay before the next attempt, ms (the worker's backoff strategy returns it). */
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** Pause the job's whole queue for `pauseMs` and put the job back without using an attempt. */
export class PauseQueueError extends Error {
  override readonly name = 'PauseQueueError';
  constructor(
    message: string,
    readonly pauseMs: number,
  ) {
    super(message);
  }
}

/** Hold the job back for `delayMs` without using an attempt. */
export class WaitJobError extends Error {
  override readonly name = 'WaitJobError';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}
