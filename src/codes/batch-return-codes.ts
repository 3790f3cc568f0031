import { answer, sameAnswerOnRetry } from './entry.ts';
import type { CodeClass, CodeEntry } from './types.ts';

/**
 * Per-learner ReturnCodes of a web-service registration batch: the portal batch codes (docs/lrs.md §5.5).
 * RC006, RC011, RC012 and RC013 have published meanings; the others are this project's reading, which the
 * simulator (src/simulator/ls-batches.ts) follows, so the two cannot disagree.
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
  rc(
    'RC006',
    'data_error',
    'Batch: insufficient data to create a ULN (the learner was not found and could not be registered).',
    'Fill in the missing details in the MIS (date of birth, gender and postcode, and the optional details that help a search: previous family name, school at 16, place of birth, e-mail) and retry.',
  ),
  sameAnswerOnRetry(
    rc(
      'RC007',
      'needs_action',
      'Batch: too many matches.',
      'Add optional details (previous family name, school at 16, place of birth, e-mail) in the MIS and retry.',
    ),
  ),
  sameAnswerOnRetry(
    rc(
      'RC008',
      'needs_action',
      'Batch: not registered because a similar learner exists (possible matches, an identical learner, or a possible match too recent); a person must choose.',
      SEARCH,
    ),
  ),
  rc(
    'RC009',
    'data_error',
    'Batch: the ULN supplied was not found.',
    'Check the ULN in the MIS, or remove it so the learner is searched for by demographics.',
  ),
  rc(
    'RC010',
    'unknown',
    'Batch: an exception needing a person (its meaning is not published).',
    'Keep the request id and ask the LRS service desk what it means.',
  ),
  rc(
    'RC011',
    'data_error',
    'Batch: incorrect format, a catch-all for several exceptions: a field in the wrong format or missing (an invalid Ability to Share or Verification Type among them) or, for web-service batches, a learner outside the permitted age range (13 to 110).',
    "Check the learner's details in the MIS: every field in the right format, the privacy-notice choice (Ability to Share) and how identity was checked (Verification Type) recorded, and the date of birth. If the date of birth is right and the learner is outside 13 to 110, contact the LRS service desk; otherwise correct it and retry.",
  ),
  rc(
    'RC012',
    'data_error',
    'Batch: incorrect identifier format (UCI/UPN).',
    'Correct the identifier in the MIS and retry.',
  ),
  rc(
    'RC013',
    'data_error',
    'Batch: learner outside the permitted age range (a ULN is for learners aged 13 to 110).',
    "Check the date of birth in the MIS against the learner's documents and correct it. If it is right and the learner needs a ULN, contact the LRS service desk.",
  ),
];
