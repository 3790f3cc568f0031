/**
 * Every code a request can end with: the LRS client's catalogue (LRS codes and the client's own) plus
 * the codes the pipeline and support tooling add. `explainCode` is what support staff and the MIS read.
 */
import { RESPONSE_CODES, classifyCode, type CodeEntry } from './catalogue.ts';

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
  /** Staff rejected every possible-match candidate. */
  STAFF_NO_MATCH: 'STAFF_NO_MATCH',
  RETRY: 'RETRY',
  CANCEL: 'CANCEL',
  /** Another request is registering the same person; this one waits for it (never terminal). */
  LEARNER_BUSY: 'LEARNER_BUSY',
  /** A batch could not be used (failed, refused, unknown job, submission in doubt): the request went back as a single call. */
  BATCH_FAILED_REQUEUED: 'BATCH_FAILED_REQUEUED',
  /** The batch output had no row for this learner: the request went back as a single call. */
  BATCH_RESULT_MISSING: 'BATCH_RESULT_MISSING',
  /** An achievement batch's submission may or may not have reached the LRS (crash or timeout during the call). */
  BATCH_SUBMIT_IN_DOUBT: 'BATCH_SUBMIT_IN_DOUBT',
  /** The achievement was accepted by the LRS (not listed in the job's error file). */
  ACHIEVEMENT_LOADED: 'ACHIEVEMENT_LOADED',
  /** The achievement was listed in the job's error file. */
  ACHIEVEMENT_REJECTED: 'ACHIEVEMENT_REJECTED',
  /** The achievement job ended Failed or Cancelled without naming this record. */
  ACHIEVEMENT_BATCH_FAILED: 'ACHIEVEMENT_BATCH_FAILED',
  /** A batch gave no result within BATCH_POLL_GIVE_UP_MS of its submission and was given up. */
  BATCH_NO_RESULT: 'BATCH_NO_RESULT',
} as const;

const e = (
  code: string,
  cls: CodeEntry['class'],
  retry: CodeEntry['retry'],
  meaning: string,
  resolution: string,
): CodeEntry => ({
  code,
  source: 'relay',
  class: cls,
  retry,
  meaning,
  resolution,
});

const EXTRA: readonly CodeEntry[] = [
  e(
    PIPELINE_CODES.RETRIES_EXHAUSTED,
    'retryable',
    'never',
    'lrs-relay tried this request repeatedly and every attempt failed before an LRS answer could be stored.',
    'Check the relay logs for the request id (database or Redis trouble?), then retry the request.',
  ),
  e(
    PIPELINE_CODES.ORGANISATION_UNAVAILABLE,
    'config_error',
    'never',
    'The organisation is disabled or its LRS credentials could not be loaded.',
    'Check the organisation with `lrs-relay orgs show` and `lrs-relay orgs test`; fix its password or certificate reference, then retry.',
  ),
  e(
    PIPELINE_CODES.BAD_REQUEST_PAYLOAD,
    'data_error',
    'never',
    'The request does not carry the fields its kind needs.',
    'Correct the learner data in the MIS and submit the request again.',
  ),
  e(
    PIPELINE_CODES.UPDATE_CONFLICT,
    'needs_action',
    'never',
    'The learner record kept changing at the LRS while lrs-relay tried to update it.',
    'Find the learner by ULN to see the current LRS record, check the change is still right, then retry.',
  ),
  e(
    PIPELINE_CODES.NOT_VERIFIED,
    'needs_action',
    'never',
    'The achievement was held: the learner has not been verified against the LRS.',
    'Verify the learner (ULN, names, date of birth) and resolve any verification exception, then retry the achievement.',
  ),
  e(
    PIPELINE_CODES.STAFF_MATCHED,
    'success',
    'never',
    'A member of staff chose the matching learner from the LRS candidates.',
    'Nothing to do; the chosen ULN is stored against the learner.',
  ),
  e(
    PIPELINE_CODES.STAFF_NO_MATCH,
    'outcome',
    'never',
    'A member of staff rejected every candidate the LRS offered.',
    'Read the staff note; search again with more details (previous family name, school at 16), or register the learner if they are certainly new.',
  ),
  e(
    PIPELINE_CODES.LEARNER_BUSY,
    'retryable',
    'backoff',
    'Another request for the same learner is registering them; this one waits so the learner is not registered twice.',
    'Nothing to do; it continues by itself within minutes. If it stays like this, look for another open register request for the same learner.',
  ),
  e(
    PIPELINE_CODES.RETRY,
    'outcome',
    'never',
    'A member of staff asked for the request to be tried again.',
    'Nothing to do.',
  ),
  e(PIPELINE_CODES.CANCEL, 'outcome', 'never', 'A member of staff cancelled the request.', 'Nothing to do.'),
  e(
    PIPELINE_CODES.BATCH_FAILED_REQUEUED,
    'outcome',
    'never',
    'The batch this request was in could not be used (it failed, was refused, was unknown to the LRS, or its submission was in doubt); the request was sent again as a single call.',
    'Nothing to do; the single call searches before it registers, so no learner is registered twice. See last_error for the batch and reason.',
  ),
  e(
    PIPELINE_CODES.BATCH_RESULT_MISSING,
    'outcome',
    'never',
    'The LRS batch output had no row for this learner; the request was sent again as a single call.',
    'Nothing to do. If it happens often, report the batch id to the LRS service desk.',
  ),
  e(
    PIPELINE_CODES.BATCH_SUBMIT_IN_DOUBT,
    'needs_action',
    'never',
    'The achievement batch was being sent when lrs-relay stopped or the call timed out, so the LRS may or may not have loaded it. It was not sent again, to avoid loading achievements twice.',
    "Check the learner's record (PLR) or the awarding organisation portal for the achievement; if it is missing, retry the request.",
  ),
  e(
    PIPELINE_CODES.ACHIEVEMENT_LOADED,
    'success',
    'never',
    'The LRS accepted the achievement (the job finished and did not list this record as an error).',
    'Nothing to do.',
  ),
  e(
    PIPELINE_CODES.ACHIEVEMENT_REJECTED,
    'needs_action',
    'never',
    "The LRS rejected the achievement: the job's error file lists this record (field data, learner data or business rule error).",
    'Read the error in the description, correct the achievement or the learner details in the MIS, then retry.',
  ),
  e(
    PIPELINE_CODES.ACHIEVEMENT_BATCH_FAILED,
    'needs_action',
    'never',
    'The achievement job ended Failed or Cancelled at the LRS without naming this record.',
    'Read the rejection reason in the description; correct the data if it names a problem, then retry the request.',
  ),
  e(
    PIPELINE_CODES.BATCH_NO_RESULT,
    'needs_action',
    'never',
    'The LRS gave no result for the batch within BATCH_POLL_GIVE_UP_MS of its submission (it kept answering that the job was still running, or could not be asked), so lrs-relay stopped polling. Registration and verify requests were sent again as single calls; achievements were not, because the LRS may still load them.',
    "Achievements: check the learner's record (PLR) or the awarding organisation portal; if the achievement is missing, retry the request. Batches: report the LRS job id (on the batch) to the LRS service desk if it keeps happening.",
  ),
];

/**
 * Per-learner ReturnCodes of a web-service registration batch. The literal values are the portal batch
 * codes (docs/lrs.md §5.5); whether the web service uses the same ones is unknown, so this follows the simulator.
 */
const rc = (code: string, cls: CodeEntry['class'], meaning: string, resolution: string): CodeEntry => ({
  code,
  source: 'lrs',
  class: cls,
  retry: 'never',
  meaning,
  resolution,
});
const SEARCH =
  'Search for the learner by demographics (single call) to see the candidates, then pick one or register.';
const BATCH_RETURN_CODES: readonly CodeEntry[] = [
  rc(
    'RC001',
    'success',
    'Batch: no match found; the learner was registered and a new ULN issued.',
    'Nothing to do; the new ULN is stored against the learner.',
  ),
  rc(
    'RC002',
    'success',
    'Batch: the learner was found (exact match or the ULN supplied); ULN returned.',
    'Nothing to do; the ULN is stored against the learner.',
  ),
  rc(
    'RC003',
    'success',
    'Batch: a linked (merged) learner was found; the master ULN was returned.',
    'Replace the ULN in the MIS with the master ULN returned.',
  ),
  rc(
    'RC004',
    'outcome',
    'Batch (CHK): no match found; nothing was registered.',
    'Check the details; register the learner if they have never had a ULN.',
  ),
  rc(
    'RC005',
    'unknown',
    'Batch: not documented.',
    'Keep the request id and ask the LRS service desk what it means.',
  ),
  rc('RC006', 'needs_action', 'Batch: possible match(es); a person must choose.', SEARCH),
  rc(
    'RC007',
    'needs_action',
    'Batch: too many matches.',
    'Add optional details (previous family name, school at 16, place of birth, e-mail) in the MIS and retry.',
  ),
  rc(
    'RC008',
    'needs_action',
    'Batch: registration refused (identical learner exists, no recent search, or possible match too recent).',
    SEARCH,
  ),
  rc(
    'RC009',
    'data_error',
    'Batch: the ULN supplied was not found.',
    'Check the ULN in the MIS, or remove it so the learner is searched for by demographics.',
  ),
  rc(
    'RC010',
    'data_error',
    'Batch: insufficient data to search (date of birth, gender and postcode are needed).',
    'Fill in the missing details in the MIS and retry.',
  ),
  rc(
    'RC011',
    'data_error',
    'Batch: Ability to Share / Verification Type missing or invalid, so the learner could not be registered.',
    "Record the learner's privacy-notice choice and how identity was checked in the MIS, then retry.",
  ),
  rc(
    'RC012',
    'data_error',
    'Batch: incorrect identifier format (UCI/UPN).',
    'Correct the identifier in the MIS and retry.',
  ),
  rc(
    'RC013',
    'unknown',
    'Batch: exception (not documented in detail).',
    'Keep the request id and ask the LRS service desk what it means.',
  ),
];

export const ALL_CODES: readonly CodeEntry[] = Object.freeze([
  ...RESPONSE_CODES,
  ...EXTRA,
  ...BATCH_RETURN_CODES,
]);
const EXTRA_BY_CODE = new Map([...EXTRA, ...BATCH_RETURN_CODES].map((c) => [c.code, c]));

/** The catalogue entry for any code (unknown codes kept verbatim, class `unknown`). */
export function explainCode(code: string): CodeEntry {
  return EXTRA_BY_CODE.get(code) ?? classifyCode(code);
}
export type { CodeEntry };
