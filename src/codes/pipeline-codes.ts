/**
 * Codes lrs-relay's pipeline and support actions record (never LRS codes, never a failed call the workers
 * retry), with their entries in the code table.
 */
import { answer, quotesLrsText } from './entry.ts';
import type { CodeEntry } from './types.ts';

/** Codes lrs-relay's pipeline and support actions use (never LRS codes). */
export const PIPELINE_CODES = {
  /** A job kept failing for reasons outside the LRS call (e.g. database unavailable) until its attempts ran out. */
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  /** The organisation was disabled or its credentials could not be loaded. */
  ORGANISATION_UNAVAILABLE: 'ORGANISATION_UNAVAILABLE',
  /** A registration not sent: the learner's age on the date of the request is outside 13–110 (src/lrs/age.ts). */
  AGE_OUT_OF_RANGE: 'AGE_OUT_OF_RANGE',
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
  /** Staff sent the request back to the queue. */
  RETRY: 'RETRY',
  /** Staff cancelled the request. */
  CANCEL: 'CANCEL',
  /** Staff undid their cancel: the request is back as it was before. */
  UNDO_CANCEL: 'UNDO_CANCEL',
  /** Audit: everything held about a learner was exported (subject access request). */
  LEARNER_EXPORTED: 'LEARNER_EXPORTED',
  /** Audit: a learner's personal data was erased (erasure request); the request is an anonymous row now. */
  LEARNER_ERASED: 'LEARNER_ERASED',
  /** Audit: someone tested an organisation's credentials (`lrs-relay orgs test` or the dashboard). */
  ORGANISATION_TESTED: 'ORGANISATION_TESTED',
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

const P = PIPELINE_CODES;

export const PIPELINE_CODE_ENTRIES: readonly CodeEntry[] = [
  answer(
    P.RETRIES_EXHAUSTED,
    'relay',
    'retryable',
    'lrs-relay tried this request repeatedly and every attempt failed before an LRS answer could be stored.',
    'Check the relay logs for the request id (database or Redis trouble?), then retry the request.',
  ),
  answer(
    P.ORGANISATION_UNAVAILABLE,
    'relay',
    'config_error',
    'The organisation is disabled or its LRS credentials could not be loaded.',
    'Check the organisation with `lrs-relay orgs show` and `lrs-relay orgs test`; fix its password or certificate reference, then retry.',
  ),
  answer(
    P.BAD_REQUEST_PAYLOAD,
    'relay',
    'data_error',
    'The request does not carry the fields its kind needs.',
    'Correct the learner data in the MIS and submit the request again.',
  ),
  answer(
    P.AGE_OUT_OF_RANGE,
    'relay',
    'data_error',
    "lrs-relay did not send this registration: on the date of the request the learner's age, from the date of birth given, is outside 13 to 110, the ages the LRS issues ULNs for (it would refuse the learner: RC013 on its portal, RC011 in web-service batches).",
    'Check the date of birth in the MIS: a wrong year is the usual cause. If it was wrong, correct it and the MIS sends a new request. If it is right, the learner cannot have a ULN yet: a learner under 13 can be registered once 13 (send the request again then); for a learner the LRS should register anyway, contact the LRS service desk. A retry of this request gives the same answer: its age is judged on the date it was made.',
  ),
  answer(
    P.UPDATE_CONFLICT,
    'relay',
    'needs_action',
    'The learner record kept changing at the LRS while lrs-relay tried to update it.',
    'Find the learner by ULN to see the current LRS record, check the change is still right, then retry.',
  ),
  answer(
    P.NOT_VERIFIED,
    'relay',
    'needs_action',
    'The achievement was held: the learner has not been verified against the LRS.',
    'Verify the learner (ULN, names, date of birth) and resolve any verification exception, then retry the achievement.',
  ),
  answer(
    P.STAFF_MATCHED,
    'relay',
    'success',
    'A member of staff chose the matching learner from the LRS candidates.',
    'Nothing to do; the chosen ULN is stored against the learner.',
  ),
  answer(
    P.STAFF_NO_MATCH,
    'relay',
    'outcome',
    'A member of staff rejected every candidate the LRS offered.',
    'Read the staff note; search again with more details (previous family name, school at 16), or register the learner if they are certainly new.',
  ),
  answer(
    P.LEARNER_BUSY,
    'relay',
    'retryable',
    'Another request for the same learner is registering them; this one waits so the learner is not registered twice.',
    'Nothing to do; it continues by itself within minutes. If it stays like this, look for another open register request for the same learner.',
    'waits',
  ),
  answer(
    P.RETRY,
    'relay',
    'outcome',
    'A member of staff asked for the request to be tried again.',
    'Nothing to do.',
  ),
  answer(P.CANCEL, 'relay', 'outcome', 'A member of staff cancelled the request.', 'Nothing to do.'),
  answer(
    P.UNDO_CANCEL,
    'relay',
    'outcome',
    'A member of staff undid a cancel: the request is back as it was (needing action, or queued again).',
    'Nothing to do: the request carries on from where it was.',
  ),
  answer(
    P.LEARNER_EXPORTED,
    'relay',
    'outcome',
    'Everything lrs-relay held about a learner was exported for a subject access request (`lrs-relay learner export`).',
    'Nothing to do.',
  ),
  answer(
    P.ORGANISATION_TESTED,
    'relay',
    'outcome',
    "Someone tested an organisation's LRS credentials with one learnerByULN call (`lrs-relay orgs test`, or Test on the dashboard's Organisations page).",
    'Nothing to do: the LRS call beside it says how the test went.',
  ),
  answer(
    P.LEARNER_ERASED,
    'relay',
    'outcome',
    "A learner's personal data was erased for an erasure request (`lrs-relay learner erase`); the request remains as an anonymous row so counts stay right.",
    'Nothing to do. Erase the learner in the MIS too, or its triggers may send them again.',
  ),
  answer(
    P.BATCH_FAILED_REQUEUED,
    'relay',
    'outcome',
    'The batch this request was in could not be used (it failed, was refused, was unknown to the LRS, or its submission was in doubt); the request was sent again as a single call.',
    'Nothing to do; the single call searches before it registers, so no learner is registered twice. See last_error for the batch and reason.',
  ),
  answer(
    P.BATCH_RESULT_MISSING,
    'relay',
    'outcome',
    'The LRS batch output had no row for this learner; the request was sent again as a single call.',
    'Nothing to do. If it happens often, report the batch id to the LRS service desk.',
  ),
  answer(
    P.BATCH_SUBMIT_IN_DOUBT,
    'relay',
    'needs_action',
    'The achievement batch was being sent when lrs-relay stopped or the call timed out, so the LRS may or may not have loaded it. It was not sent again, to avoid loading achievements twice.',
    "Check the learner's record (PLR) or the awarding organisation portal for the achievement; if it is missing, retry the request.",
  ),
  answer(
    P.ACHIEVEMENT_LOADED,
    'relay',
    'success',
    'The LRS accepted the achievement (the job finished and did not list this record as an error).',
    'Nothing to do.',
  ),
  quotesLrsText(
    answer(
      P.ACHIEVEMENT_REJECTED,
      'relay',
      'needs_action',
      "The LRS rejected the achievement: the job's error file lists this record (field data, learner data or business rule error).",
      'Read the error in the description, correct the achievement or the learner details in the MIS, then retry.',
    ),
  ),
  quotesLrsText(
    answer(
      P.ACHIEVEMENT_BATCH_FAILED,
      'relay',
      'needs_action',
      'The achievement job ended Failed or Cancelled at the LRS without naming this record.',
      'Read the rejection reason in the description; correct the data if it names a problem, then retry the request.',
    ),
  ),
  answer(
    P.BATCH_NO_RESULT,
    'relay',
    'needs_action',
    'The LRS gave no result for the batch within BATCH_POLL_GIVE_UP_MS of its submission (it kept answering that the job was still running, or could not be asked), so lrs-relay stopped polling. Registration and verify requests were sent again as single calls; achievements were not, because the LRS may still load them.',
    "Achievements: check the learner's record (PLR) or the awarding organisation portal; if the achievement is missing, retry the request. Batches: report the LRS job id (on the batch) to the LRS service desk if it keeps happening.",
  ),
];
