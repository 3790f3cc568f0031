/**
 * The one code table: every LRS code and every code of ours, with its source, class, the error class that
 * drives the workers' retries, the retry text staff read, its meaning and resolution note.
 * Everything else is derived from it: the `lrs.response_code` seed (and so `lrs-relay explain` and the
 * dashboard), `LrsError.retryable` in the LRS client, and the workers' `classifyFailure`.
 */
import { BATCH_RETURN_CODE_ENTRIES } from './batch-return-codes.ts';
import { CLIENT_CODE_ENTRIES } from './client-codes.ts';
import { UNDOCUMENTED } from './entry.ts';
import { LRS_CODE_ENTRIES } from './lrs-codes.ts';
import { PIPELINE_CODE_ENTRIES } from './pipeline-codes.ts';
import type { CodeEntry, ErrorClass } from './types.ts';

export const CODE_TABLE: readonly CodeEntry[] = Object.freeze([
  ...LRS_CODE_ENTRIES,
  ...BATCH_RETURN_CODE_ENTRIES,
  ...CLIENT_CODE_ENTRIES,
  ...PIPELINE_CODE_ENTRIES,
]);

const BY_CODE: ReadonlyMap<string, CodeEntry> = new Map(CODE_TABLE.map((c) => [c.code, c]));

/**
 * The table entry for a code. A code not in the table is kept verbatim as an LRS code of class `unknown`
 * that is never retried (a code nobody documented is not retried blindly).
 */
export function explainCode(code: string): CodeEntry {
  return (
    BY_CODE.get(code) ?? {
      code,
      source: 'lrs',
      class: 'unknown',
      errorClass: 'none',
      retry: 'never',
      meaning: 'Code not in the lrs-relay catalogue.',
      resolution: UNDOCUMENTED,
    }
  );
}

/** True when something retries the code by itself (the workers, the batch poller); `LrsError.retryable`. */
export function isRetryable(entry: CodeEntry): boolean {
  return entry.retry !== 'never';
}

/**
 * The error class a worker retries a failed LRS call by, from the code's table entry. A code that is not a
 * failure class (an answer code, or one nobody documented) is handled as a data error: never retried.
 */
export function classifyFailure(err: { code: string }): ErrorClass {
  const { errorClass } = explainCode(err.code);
  return errorClass === 'none' ? 'data_error' : errorClass;
}

/**
 * True when the text stored with this code may be the LRS's own words, which can quote the learner in any
 * wording: every LRS code (and any code not in the table), and codes of ours marked quotesLrsText.
 * A request or batch without a code holds only our own text.
 */
export function mayQuoteLrsText(code: string | null | undefined): boolean {
  if (code === null || code === undefined) return false;
  const entry = explainCode(code);
  return entry.source === 'lrs' || entry.quotesLrsText === true;
}
