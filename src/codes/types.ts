/**
 * The vocabulary of the code table: what class a code falls into for support staff, which error class drives
 * the workers' retries, and what staff read about retrying. Nothing here imports from elsewhere, so the LRS
 * client, the workers and the support tooling can all share it.
 */

/** Classes a response or error code falls into for support staff and the MIS (docs/lrs.md §5). */
export const CODE_CLASSES = [
  'success',
  'outcome',
  'needs_action',
  'data_error',
  'config_error',
  'retryable',
  'unknown',
] as const;
export type CodeClass = (typeof CODE_CLASSES)[number];

/** Where a code came from: the LRS said it, or lrs-relay decided it. */
export type CodeSource = 'lrs' | 'relay';

/** The error classes the worker retry policy is keyed by (src/codes/retry-policy.ts). */
export const ERROR_CLASSES = [
  'transport',
  'timeout',
  'maintenance',
  'out_of_hours',
  'rate_limited',
  'lrs_unexpected',
  'data_error',
  'configuration',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/**
 * What staff read about retrying (seeded into `lrs.response_code.retry`). never: the same request fails the
 * same way; backoff: retried with growing delays; after-window: retried once the LRS's maintenance window or
 * service hours are over; poll: asked again later (a batch still running); waits: held back, without using an
 * attempt, until another request for the same learner is done.
 */
export type RetryDescription = 'never' | 'backoff' | 'after-window' | 'poll' | 'waits';

export interface CodeEntry {
  code: string;
  source: CodeSource;
  class: CodeClass;
  /**
   * The error class the workers retry an LrsError with this code by; `none` for codes that are answers or
   * pipeline decisions rather than failed calls (a worker never retries those).
   */
  errorClass: ErrorClass | 'none';
  /** What staff read; for an error class, derived from the default retry policy so the two cannot differ. */
  retry: RetryDescription;
  meaning: string;
  /** What a support person should do, in plain words. */
  resolution: string;
  /**
   * Set when sending the request again as it is can only bring the same answer (the LRS matches the same
   * details the same way): support tools then offer no bulk retry for it and say what to do instead.
   */
  sameAnswerOnRetry?: true;
  /**
   * Set on codes of ours whose stored text quotes the LRS's own words (an achievement job's error row or
   * rejection reason). Like the text of an LRS code, it may quote the learner, so staff who may not see the
   * organisation's personal data are shown the code and its meaning instead (src/support/access.ts).
   */
  quotesLrsText?: true;
}
