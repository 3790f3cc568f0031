/**
 * Every code an LRS call can end with — the LRS's own (docs/lrs.md §5) and ours (RELAY_CODES) — with its
 * meaning, class, retry policy and a resolution note for college MIS support staff.
 * One table, not scattered ifs: the client, the workers and the MIS (via the `lrs.response_code`
 * table, seeded from RESPONSE_CODES) all read the same answers.
 */
import { RELAY_CODES } from '../lrs/errors.ts';
import type { CodeClass, CodeSource } from '../lrs/types.ts';

/**
 * never: same request will fail the same way; backoff: retry with growing delay;
 * after-window: retry after the LRS's hours/maintenance window; poll: ask again later (batch still running).
 */
export type RetryPolicy =
  { retry: 'never' } | { retry: 'backoff' } | { retry: 'after-window' } | { retry: 'poll' };

export interface CodeEntry {
  code: string;
  source: CodeSource;
  meaning: string;
  class: CodeClass;
  retry: RetryPolicy['retry'];
  /** What a support person should do, in plain words. */
  resolution: string;
}

const e = (
  code: string,
  source: CodeSource,
  cls: CodeClass,
  retry: RetryPolicy['retry'],
  meaning: string,
  resolution: string,
): CodeEntry => ({
  code,
  source,
  meaning,
  class: cls,
  retry,
  resolution,
});

const PORTAL = 'log in to the LRS Organisation Portal';
/** WSVRC003 and WSVRC004 call for the same check. */
const SIMILAR_MATCH = `Log in to the LRS Organisation Portal, compare the learner's record with the MIS and correct whichever is wrong. If the master record is not theirs, raise a ULN data challenge in the portal.`;
const UNDOCUMENTED =
  'Not documented in any public source. Keep the request id and ask the LRS service desk what it means.';

/** Every known code, as a plain array (seeded into `lrs.response_code`). */
export const RESPONSE_CODES: readonly CodeEntry[] = Object.freeze([
  // §5.1 WSRC
  e(
    'WSRC0001',
    'lrs',
    'outcome',
    'never',
    'No match: no learner found for the details given.',
    "Check the spelling, date of birth and postcode against the learner's documents. If they are right and the learner has never had a ULN, register them.",
  ),
  e(
    'WSRC0002',
    'lrs',
    'needs_action',
    'never',
    'Too many matches (more than 10 learners fit).',
    'Add optional details (previous family name, school at 16, place of birth, e-mail) in the MIS and search again.',
  ),
  e(
    'WSRC0003',
    'lrs',
    'needs_action',
    'never',
    'Possible match: one or more candidate learners are similar.',
    'A person must compare the candidates with the learner (name, date of birth, postcode, gender) and pick the right one, or search again with more details. Do not register a new ULN while a candidate may be the learner.',
  ),
  e(
    'WSRC0004',
    'lrs',
    'success',
    'never',
    'Exact match: the learner was found.',
    'Nothing to do; the ULN is stored against the learner.',
  ),
  e(
    'WSRC0005',
    'lrs',
    'success',
    'never',
    'Learner registered: a new ULN was issued.',
    'Nothing to do; the new ULN is stored against the learner.',
  ),
  e('WSRC0006', 'lrs', 'success', 'never', 'Learner updated.', 'Nothing to do.'),
  e(
    'WSRC0007',
    'lrs',
    'success',
    'never',
    'Batch submitted; the LRS returned a job id.',
    'Nothing to do; lrs-relay polls for the output.',
  ),
  e(
    'WSRC0008',
    'lrs',
    'retryable',
    'poll',
    'Batch not finished yet.',
    'Nothing to do; lrs-relay asks again later. If it stays like this for more than a day, contact the LRS service desk with the job id.',
  ),
  e(
    'WSRC0009',
    'lrs',
    'success',
    'never',
    'Batch finished; per-learner results are available.',
    'Review the learners the batch could not match or register.',
  ),
  e(
    'WSRC0010',
    'lrs',
    'needs_action',
    'never',
    'Batch failed.',
    'Check the batch contents for data errors, then submit it again. If it fails again, contact the LRS service desk with the job id.',
  ),
  e('WSRC0011', 'lrs', 'unknown', 'never', 'Not documented.', UNDOCUMENTED),
  e('WSRC0012', 'lrs', 'unknown', 'never', 'Not documented.', UNDOCUMENTED),
  e(
    'WSRC0013',
    'lrs',
    'needs_action',
    'never',
    'The learner record changed since it was last read (version number is out of date).',
    'Read the learner again (find by ULN), check the change still makes sense against the new record, then update again.',
  ),
  e(
    'WSRC0014',
    'lrs',
    'data_error',
    'never',
    'Invalid change of Ability to Share.',
    "Check the learner's privacy-notice/sharing choice in the MIS; this change is not allowed. Correct it and update again.",
  ),
  e(
    'WSRC0015',
    'lrs',
    'data_error',
    'never',
    'Insufficient data.',
    'Fill in the missing mandatory details (names, date of birth, gender, postcode, verification type, ability to share) in the MIS and try again.',
  ),
  e('WSRC0016', 'lrs', 'unknown', 'never', 'Not documented.', UNDOCUMENTED),
  e(
    'WSRC0017',
    'lrs',
    'data_error',
    'never',
    'Batch record count incorrect.',
    'This is a fault in lrs-relay (the count did not match the learners sent). Report it to the lrs-relay maintainers.',
  ),
  e(
    'WSRC0018',
    'lrs',
    'data_error',
    'never',
    'Unknown batch job.',
    'The job id is not known to the LRS for this organisation (wrong organisation or expired job). Submit the batch again.',
  ),
  e(
    'WSRC0019',
    'lrs',
    'data_error',
    'never',
    'ULN not found for update.',
    'Check the ULN in the MIS; find the learner by demographics to get the right ULN.',
  ),
  e(
    'WSRC0020',
    'lrs',
    'outcome',
    'never',
    'No changes found; learner not updated.',
    'Nothing to do; the LRS already holds these details.',
  ),
  e(
    'WSRC0021',
    'lrs',
    'needs_action',
    'never',
    'Learner could not be registered (identical learner exists, no recent search, or a possible match is still too recent).',
    'Search for the learner by demographics first. If a match or possible match comes back, use that ULN instead of registering; if no match, register again shortly after the search.',
  ),
  e(
    'WSRC0022',
    'lrs',
    'success',
    'never',
    'Linked learner: the ULN was merged and the master record was returned.',
    'Replace the ULN in the MIS with the master ULN returned.',
  ),
  e('WSRC0023', 'lrs', 'outcome', 'never', 'ULNs for report not found.', 'Nothing to do (legacy report).'),
  e('WSRC0024', 'lrs', 'outcome', 'never', 'No ULNs for report.', 'Nothing to do (legacy report).'),
  // §5.3 WSEC
  e(
    'WSEC0001',
    'lrs',
    'data_error',
    'never',
    'Invalid request: the LRS rejected the message format or a field value.',
    'Read the FurtherDetails text for the field at fault, correct the learner data in the MIS, and try again. If no learner field is at fault, report it to the lrs-relay maintainers.',
  ),
  e(
    'WSEC0002',
    'lrs',
    'config_error',
    'never',
    'Unknown request: operation not supported.',
    'Report it to the lrs-relay maintainers (the LRS no longer supports this operation or the endpoint is wrong).',
  ),
  e(
    'WSEC0003',
    'lrs',
    'config_error',
    'never',
    'Unknown organisation, or organisation not authorised for web services.',
    `Check the UKPRN / organisation reference configured for this organisation; ${PORTAL} or contact the LRS service desk to confirm web-service access.`,
  ),
  e(
    'WSEC0004',
    'lrs',
    'retryable',
    'after-window',
    'Out of hours: the LRS is outside its service hours.',
    'Nothing to do; lrs-relay retries when the service is open again.',
  ),
  e(
    'WSEC0005',
    'lrs',
    'config_error',
    'never',
    'Incorrect organisation password.',
    `Update the organisation's 16-character LRS web-service password in lrs-relay (${PORTAL} to check or reset it). Calls stop until it is fixed, to avoid a lock-out.`,
  ),
  e(
    'WSEC0006',
    'lrs',
    'config_error',
    'never',
    'Insufficient access: the organisation may not use this operation.',
    'Ask the LRS service desk to grant this organisation access to the operation, or switch the feature off.',
  ),
  e(
    'WSEC0136',
    'lrs',
    'data_error',
    'never',
    'The ULN supplied is invalid.',
    "Check the ULN in the MIS against the learner's documents; find the learner by demographics if unsure.",
  ),
  e(
    'WSEC0206',
    'lrs',
    'outcome',
    'never',
    'The learner has not agreed to share their learning record.',
    'Nothing to do unless the learner agrees to share; ask the learner to update their sharing choice.',
  ),
  e(
    'WSEC0208',
    'lrs',
    'data_error',
    'never',
    'The learner could not be verified: the ULN and names do not match.',
    `Compare the learner's given and family names in the MIS with the LRS record (${PORTAL}); correct the MIS or the ULN and try again.`,
  ),
  // §5.2 WSVRC + VRF
  e('WSVRC001', 'lrs', 'success', 'never', 'Verified: successful match.', 'Nothing to do.'),
  e(
    'WSVRC002',
    'lrs',
    'success',
    'never',
    'Verified: successful linked match (the ULN belongs to a merged learner).',
    "Replace the ULN in the MIS with the learner's master ULN.",
  ),
  e(
    'WSVRC003',
    'lrs',
    'needs_action',
    'never',
    'Similar match: accepted, but some details differ (see the failure flags).',
    SIMILAR_MATCH,
  ),
  e(
    'WSVRC004',
    'lrs',
    'needs_action',
    'never',
    'Similar linked match: the ULN belongs to a merged learner and some details differ.',
    SIMILAR_MATCH,
  ),
  e(
    'WSVRC005',
    'lrs',
    'needs_action',
    'never',
    'Learner does not match the ULN.',
    "Check the ULN and names in the MIS against the learner's documents; find the learner by demographics to get the right ULN.",
  ),
  e(
    'WSVRC006',
    'lrs',
    'data_error',
    'never',
    'ULN not found.',
    'Check the ULN in the MIS; it may be mistyped. Find the learner by demographics to get the right ULN.',
  ),
  e(
    'VRF1',
    'lrs',
    'outcome',
    'never',
    "Flag: given name differs from the learner's given name.",
    'Check the given name in the MIS.',
  ),
  e(
    'VRF2',
    'lrs',
    'outcome',
    'never',
    "Flag: given name differs from the learner's family name (swapped-names check).",
    'Check that given and family names are not swapped in the MIS.',
  ),
  e(
    'VRF3',
    'lrs',
    'outcome',
    'never',
    "Flag: given name differs from the learner's previous family name.",
    'Check the given name in the MIS.',
  ),
  e(
    'VRF4',
    'lrs',
    'outcome',
    'never',
    "Flag: family name differs from the learner's given name.",
    'Check that given and family names are not swapped in the MIS.',
  ),
  e(
    'VRF5',
    'lrs',
    'outcome',
    'never',
    "Flag: family name differs from the learner's family name.",
    'Check the family name in the MIS (recent name change?).',
  ),
  e(
    'VRF6',
    'lrs',
    'outcome',
    'never',
    "Flag: family name differs from the learner's previous family name.",
    'Check the family name in the MIS.',
  ),
  e(
    'VRF7',
    'lrs',
    'outcome',
    'never',
    'Flag: date of birth differs.',
    "Check the date of birth in the MIS against the learner's documents.",
  ),
  e('VRF8', 'lrs', 'outcome', 'never', 'Flag: gender differs.', 'Check the gender in the MIS.'),
  // Ours
  e(
    RELAY_CODES.LOCAL_VALIDATION,
    'relay',
    'data_error',
    'never',
    'lrs-relay refused to send the request: some fields break the LRS rules (listed).',
    'Correct each listed field in the MIS; the request was never sent to the LRS.',
  ),
  e(
    RELAY_CODES.TIMEOUT,
    'relay',
    'retryable',
    'backoff',
    'No answer from the LRS within the time limit. The request may have reached the LRS.',
    'Nothing to do; lrs-relay retries (a registration searches again first). If it keeps happening, check the LRS service status.',
  ),
  e(
    RELAY_CODES.CONNECTION_FAILED,
    'relay',
    'retryable',
    'backoff',
    'Could not connect to the LRS (refused, unreachable or DNS failure).',
    'Nothing to do if brief; lrs-relay retries. If it persists, check the network/firewall and the LRS endpoint address.',
  ),
  e(
    RELAY_CODES.TLS_FAILED,
    'relay',
    'config_error',
    'never',
    'The secure connection failed (certificate or TLS problem).',
    'Check the LRS client certificate configured for lrs-relay (expired? wrong passphrase?) and that the endpoint address is right.',
  ),
  e(
    RELAY_CODES.LRS_MAINTENANCE,
    'relay',
    'retryable',
    'after-window',
    'The LRS answered with its maintenance page.',
    'Nothing to do; lrs-relay retries after the maintenance window (see the LRS maintenance schedule on GOV.UK).',
  ),
  e(
    RELAY_CODES.NON_SOAP_RESPONSE,
    'relay',
    'retryable',
    'backoff',
    'The LRS (or something in between) answered with a page that is not a web-service reply.',
    'Nothing to do if brief; if it persists, check the endpoint address and any proxy in between.',
  ),
  e(
    RELAY_CODES.HTTP_ERROR,
    'relay',
    'retryable',
    'backoff',
    'The LRS answered with an HTTP error and no readable fault.',
    'Nothing to do if brief; if it persists, report it to the LRS service desk with the request id.',
  ),
  e(
    RELAY_CODES.SOAP_FAULT,
    'relay',
    'config_error',
    'never',
    'The LRS returned a fault without an LRS error code (for example action not supported).',
    'Report it to the lrs-relay maintainers with the request id.',
  ),
  e(
    RELAY_CODES.LRS_INTERNAL_ERROR,
    'relay',
    'retryable',
    'backoff',
    'The LRS reported an internal error (a fault without an LRS error code).',
    'Nothing to do if brief; lrs-relay retries. If it persists, report it to the LRS service desk with the time and request id.',
  ),
  e(
    RELAY_CODES.MALFORMED_RESPONSE,
    'relay',
    'unknown',
    'never',
    'The reply could not be read (unexpected shape, or unsafe XML that was refused).',
    'Report it to the lrs-relay maintainers with the request id.',
  ),
  e(
    RELAY_CODES.CONFIGURATION,
    'relay',
    'config_error',
    'never',
    'lrs-relay is not configured correctly for this call (endpoint, credentials or certificate).',
    'Check the lrs-relay configuration for this organisation.',
  ),
  e(
    RELAY_CODES.RESPONSE_READ,
    'relay',
    'success',
    'never',
    'The LRS answered without an overall response code; see the code of each item.',
    'Nothing to do; look at the per-learner codes.',
  ),
  e(
    RELAY_CODES.ABORTED,
    'relay',
    'retryable',
    'backoff',
    'The call was cancelled (for example during shutdown).',
    'Nothing to do; the job is retried.',
  ),
]);

const BY_CODE: ReadonlyMap<string, CodeEntry> = new Map(RESPONSE_CODES.map((c) => [c.code, c]));

/** The catalogue entry for a code; an `unknown` entry (code kept verbatim) for codes we do not know. */
export function classifyCode(code: string): CodeEntry {
  return (
    BY_CODE.get(code) ?? {
      code,
      source: 'lrs',
      meaning: 'Code not in the lrs-relay catalogue.',
      class: 'unknown',
      retry: 'never',
      resolution: UNDOCUMENTED,
    }
  );
}

/** True when the policy allows retrying automatically. */
export function isRetryable(entry: CodeEntry): boolean {
  return entry.retry !== 'never';
}
