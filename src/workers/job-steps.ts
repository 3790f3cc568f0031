/**
 * Where the next step a job throws (src/requests/job-steps.ts) meets BullMQ: a pause becomes the queue's
 * rate limit (every worker of the queue stops fetching, and the job goes back without using an attempt), a
 * wait a move to delayed, a retry the delay the backoff strategy returns.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import { retryDelayMs, type RetryPolicy } from '../codes/retry-policy.ts';
import { PauseQueueError, RetryableJobError, WaitJobError } from '../requests/job-steps.ts';

/** Runs a job's processor and carries out a pause or wait it throws. */
export async function carryOutSteps<T>(
  worker: Worker,
  job: Job,
  token: string | undefined,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof PauseQueueError) {
      await worker.rateLimit(e.pauseMs);
      throw Worker.RateLimitError();
    }
    if (e instanceof WaitJobError) {
      await job.moveToDelayed(Date.now() + e.delayMs, token);
      throw new DelayedError();
    }
    throw e;
  }
}

/** The worker's backoff strategy: the delay a RetryableJobError carries, else the transport rule's. */
export function backoffStrategy(policy: RetryPolicy) {
  return (attemptsMade: number, _type?: string, err?: Error): number =>
    err instanceof RetryableJobError ? err.delayMs : retryDelayMs(policy.transport, attemptsMade);
}

/**
 * The limiter a worker needs for a pause to hold in every process: BullMQ only enforces a queue's rate
 * limit key for workers that have a limiter, so a queue without a limit of its own gets one no queue reaches.
 */
export const PAUSE_ONLY_LIMITER = { max: 1_000_000, duration: 1_000 } as const;
