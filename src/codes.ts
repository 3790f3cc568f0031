/**
 * Every code a request can end with: the LRS client's catalogue (LRS codes and the client's own) plus
 * the codes the pipeline and support tooling add. `explainCode` is what support staff and the MIS read.
 */
import { RESPONSE_CODES, classifyCode, type CodeEntry } from './lrs/catalogue.ts';

/** Codes lrs-relay's pipeline and support actions use (never LRS codes). */
export const PIPELINE_CODES = {
  /** A job kept failing for reasons outside the LRS call (e.g. database unavailable) until its attempts ran out. */
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  /** The organisation was disabled or its credentials could not be loaded. */
  ORGANISATION_UNAVAILABLE: 'ORGANISATION_UNAVAILABLE',
  /** The stored request could not be read as the fields its kind needs. */
  BAD_REQUEST_PAYLOAD: 'BAD_REQUEST_PAYLOAD',
  /** updateSingleLearner kept answering WSRC0013 (record changed) after re-reading it. */
  UPDATE_CONFLICT: 'UPDATE_CONFLICT',
  /** Achievement held: the learner's details have not been verified against the LRS. */
  NOT_VERIFIED: 'NOT_VERIFIED',
  /** Staff chose one of the possible-match candidates. */
  STAFF_MATCHED: 'STAFF_MATCHED',
  RETRY: 'RETRY',
  CANCEL: 'CANCEL',
} as const;

const e = (code: string, cls: CodeEntry['class'], retry: CodeEntry['retry'], meaning: string, resolution: string): CodeEntry => ({
  code,
  source: 'relay',
  class: cls,
  retry,
  meaning,
  resolution,
});

const EXTRA: readonly CodeEntry[] = [
  e(PIPELINE_CODES.RETRIES_EXHAUSTED, 'retryable', 'never', 'lrs-relay tried this request repeatedly and every attempt failed before an LRS answer could be stored.', 'Check the relay logs for the request id (database or Redis trouble?), then retry the request.'),
  e(PIPELINE_CODES.ORGANISATION_UNAVAILABLE, 'config_error', 'never', 'The organisation is disabled or its LRS credentials could not be loaded.', 'Check the organisation with `lrs-relay orgs show` and `lrs-relay orgs test`; fix its password or certificate reference, then retry.'),
  e(PIPELINE_CODES.BAD_REQUEST_PAYLOAD, 'data_error', 'never', 'The request does not carry the fields its kind needs.', 'Correct the learner data in the MIS and submit the request again.'),
  e(PIPELINE_CODES.UPDATE_CONFLICT, 'needs_action', 'never', 'The learner record kept changing at the LRS while lrs-relay tried to update it.', 'Find the learner by ULN to see the current LRS record, check the change is still right, then retry.'),
  e(PIPELINE_CODES.NOT_VERIFIED, 'needs_action', 'never', 'The achievement was held: the learner has not been verified against the LRS.', 'Verify the learner (ULN, names, date of birth) and resolve any verification exception, then retry the achievement.'),
  e(PIPELINE_CODES.STAFF_MATCHED, 'success', 'never', 'A member of staff chose the matching learner from the LRS candidates.', 'Nothing to do; the chosen ULN is stored against the learner.'),
  e(PIPELINE_CODES.RETRY, 'outcome', 'never', 'A member of staff asked for the request to be tried again.', 'Nothing to do.'),
  e(PIPELINE_CODES.CANCEL, 'outcome', 'never', 'A member of staff cancelled the request.', 'Nothing to do.'),
];

export const ALL_CODES: readonly CodeEntry[] = Object.freeze([...RESPONSE_CODES, ...EXTRA]);
const EXTRA_BY_CODE = new Map(EXTRA.map((c) => [c.code, c]));

/** The catalogue entry for any code (unknown codes kept verbatim, class `unknown`). */
export function explainCode(code: string): CodeEntry {
  return EXTRA_BY_CODE.get(code) ?? classifyCode(code);
}
export type { CodeEntry };
