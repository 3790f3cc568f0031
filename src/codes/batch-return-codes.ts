import { answer, sameAnswerOnRetry } from './entry.ts';
import type { CodeClass, CodeEntry } from './types.ts';

/**
 * Per-learner ReturnCodes of a web-service registration batch. The literal values are the portal batch
 * codes (docs/lrs.md §5.5); whether the web service uses the same ones is unknown, so this follows the simulator.
 */
const rc = (code: string, cls: CodeClass, meaning: string, resolution: string): CodeEntry =>
  answer(code, 'lrs', cls, meaning, resolution);
const SEARCH =
  'Search for the learner by demographics (single call) to see the candidates, then pick one or register.';
export const BATCH_RETURN_CODE_ENTRIES: readonly CodeEntry[] = [
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
  sameAnswerOnRetry(rc('RC006', 'needs_action', 'Batch: possible match(es); a person must choose.', SEARCH)),
  sameAnswerOnRetry(
    rc(
      'RC007',
      'needs_action',
      'Batch: too many matches.',
      'Add optional details (previous family name, school at 16, place of birth, e-mail) in the MIS and retry.',
    ),
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
