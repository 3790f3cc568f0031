/** Builders for code-table entries: the retry text of a failure is derived from the retry policy, never typed in. */
import { DEFAULT_RETRY_POLICY, describeRetry } from './retry-policy.ts';
import type { CodeClass, CodeEntry, CodeSource, ErrorClass, RetryDescription } from './types.ts';

/** A failure the workers retry (or not) by `errorClass`; staff read the retry behaviour the policy gives. */
export function failure(
  code: string,
  source: CodeSource,
  cls: CodeClass,
  errorClass: ErrorClass,
  meaning: string,
  resolution: string,
): CodeEntry {
  const retry = describeRetry(DEFAULT_RETRY_POLICY[errorClass]);
  return { code, source, class: cls, errorClass, retry, meaning, resolution };
}

/**
 * An answer or a pipeline decision: no worker retries it. `retry` says what else repeats it, if anything
 * (the batch poller asks again after WSRC0008; a request waiting for another one for the same learner).
 */
export function answer(
  code: string,
  source: CodeSource,
  cls: CodeClass,
  meaning: string,
  resolution: string,
  retry: RetryDescription = 'never',
): CodeEntry {
  return { code, source, class: cls, errorClass: 'none', retry, meaning, resolution };
}

/** The note for codes no public source explains. */
export const UNDOCUMENTED =
  'Not documented in any public source. Keep the request id and ask the LRS service desk what it means.';

/** Marks an answer that a retry of the same request can only repeat (a matching outcome). */
export function sameAnswerOnRetry(entry: CodeEntry): CodeEntry {
  return { ...entry, sameAnswerOnRetry: true };
}

/** Marks a code of ours whose stored text quotes the LRS's own words (see CodeEntry.quotesLrsText). */
export function quotesLrsText(entry: CodeEntry): CodeEntry {
  return { ...entry, quotesLrsText: true };
}
