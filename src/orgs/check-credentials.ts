/**
 * `orgs test`: one harmless LRS call that proves an organisation's credentials, and a verdict in
 * plain words. Any normal LRS response — even "no match" — proves certificate, organisation and
 * password together, because the LRS checks all three before it looks at the learner.
 */
import { RELAY_CODES } from '../codes/client-codes.ts';
import { isLrsError } from '../lrs/errors.ts';
import type { LrsClient } from '../lrs/types.ts';
import type { OrganisationCredentials } from './directory.ts';
import { isOrganisationError, ORG_ERROR_CODES } from './errors.ts';
import { errorMessage } from '../errors.ts';

/** The learner the check looks up: the LRS's own sample learner, seeded in the simulator (docs/lrs.md §11.2). */
export const CHECK_LEARNER = { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' } as const;

export const CHECK_FAILURES = {
  tls: 'TLS/certificate',
  certificate: 'certificate (local)',
  secret: 'secret reference',
  organisation_unknown: 'organisation unknown',
  password: 'password',
  permission: 'permission',
  network: 'network',
  maintenance: 'maintenance',
  out_of_hours: 'out of hours',
  disabled: 'disabled',
  configuration: 'configuration',
  other: 'other',
} as const;
export type CheckFailure = keyof typeof CHECK_FAILURES;

export type CredentialCheck =
  | { ok: true; code: string; outcome: string; summary: string; durationMs: number }
  | { ok: false; failure: CheckFailure; code: string; summary: string; advice: string; durationMs: number };

/** What each error code means for the credentials, and what to do. One table, not scattered ifs. */
const BY_CODE: Record<string, { failure: CheckFailure; summary: string; advice: string }> = {
  [RELAY_CODES.TLS_FAILED]: {
    failure: 'tls',
    summary: 'TLS/certificate failed: the TLS handshake with the LRS did not complete',
    advice:
      'check that the client certificate is the one the LRS issued for this organisation and has not been revoked, and that the LRS server certificate is trusted here',
  },
  WSEC0003: {
    failure: 'organisation_unknown',
    summary:
      'organisation unknown (WSEC0003): the LRS does not know this UKPRN/organisation reference, or it is not authorised for web services',
    advice:
      'check --ukprn/--org-ref against the LRS onboarding e-mail; ask the LRS service desk to enable web services for the organisation',
  },
  WSEC0005: {
    failure: 'password',
    summary:
      'password refused (WSEC0005): the organisation is known but its LRS web-service password is wrong',
    advice:
      'fix the secret the password reference points at (do not retry repeatedly: the LRS lock-out policy is unknown)',
  },
  WSEC0006: {
    failure: 'permission',
    summary: 'permission refused (WSEC0006): the organisation may not use learnerByULN',
    advice: 'ask the LRS service desk to grant the organisation the operations it needs',
  },
  WSEC0004: {
    failure: 'out_of_hours',
    summary:
      'out of hours (WSEC0004): the LRS refused the call outside its operating hours; credentials not checked',
    advice: 'run the test again during LRS operating hours',
  },
  [RELAY_CODES.CONNECTION_FAILED]: {
    failure: 'network',
    summary: 'network failed: could not connect to the LRS',
    advice: 'check LRS_BASE_URL / LRS_*_URL, DNS, firewall and proxy rules from this host',
  },
  [RELAY_CODES.TIMEOUT]: {
    failure: 'network',
    summary: 'network failed: no answer from the LRS in time',
    advice: 'check the network path to the LRS; raise LRS_TIMEOUT_MS only if the LRS is known to be slow',
  },
  [RELAY_CODES.LRS_MAINTENANCE]: {
    failure: 'maintenance',
    summary:
      'LRS maintenance: the LRS answered with its maintenance page (HTTP 405); credentials not checked',
    advice: 'see the LRS maintenance schedule on GOV.UK and test again after the window',
  },
  [RELAY_CODES.CONFIGURATION]: {
    failure: 'configuration',
    summary: 'configuration: the call was not made',
    advice:
      'check the LRS endpoint settings (https:// unless LRS_ALLOW_INSECURE_HTTP=true for the simulator)',
  },
  [RELAY_CODES.LOCAL_VALIDATION]: {
    failure: 'configuration',
    summary: 'configuration: the identity failed local checks, the call was not made',
    advice: 'fix the fields named above with `lrs-relay orgs update`',
  },
};

const BY_ORG_CODE: Partial<Record<string, CheckFailure>> = {
  [ORG_ERROR_CODES.CERTIFICATE_UNREADABLE]: 'certificate',
  [ORG_ERROR_CODES.CERTIFICATE_PASSPHRASE]: 'certificate',
  [ORG_ERROR_CODES.CERTIFICATE_EXPIRED]: 'certificate',
  [ORG_ERROR_CODES.CERTIFICATE_NOT_YET_VALID]: 'certificate',
  [ORG_ERROR_CODES.CERTIFICATE_KEY_MISMATCH]: 'certificate',
  [ORG_ERROR_CODES.SECRET_UNREADABLE]: 'secret',
  [ORG_ERROR_CODES.SECRET_INVALID]: 'secret',
  [ORG_ERROR_CODES.SECRETS_KEY_MISSING]: 'secret',
  [ORG_ERROR_CODES.DISABLED]: 'disabled',
};

/** Reads an error from loading credentials or from the call as a verdict. Messages carry no secret. */
export function classifyCheckError(e: unknown, durationMs = 0): Extract<CredentialCheck, { ok: false }> {
  if (isOrganisationError(e)) {
    const failure = BY_ORG_CODE[e.code] ?? 'configuration';
    return {
      ok: false,
      failure,
      code: e.code,
      summary: `${failure === 'certificate' ? 'TLS/certificate failed before any call' : CHECK_FAILURES[failure]}: ${e.message}`,
      advice: 'fix it with `lrs-relay orgs update`, then run `lrs-relay orgs test` again',
      durationMs,
    };
  }
  if (isLrsError(e)) {
    const known = BY_CODE[e.code];
    if (known) {
      const detail =
        e.code === RELAY_CODES.LOCAL_VALIDATION || e.code === RELAY_CODES.CONFIGURATION
          ? ` (${e.message})`
          : '';
      return {
        ok: false,
        failure: known.failure,
        code: e.code,
        summary: known.summary + detail,
        advice: known.advice,
        durationMs,
      };
    }
    return {
      ok: false,
      failure: 'other',
      code: e.code,
      summary: `the LRS call failed with ${e.code}: ${e.message}`,
      advice: `look ${e.code} up in lrs.response_code for its meaning and resolution note`,
      durationMs,
    };
  }
  return {
    ok: false,
    failure: 'other',
    code: 'UNKNOWN',
    summary: `unexpected failure: ${errorMessage(e)}`,
    advice: 'run with LOG_LEVEL=debug and report it',
    durationMs,
  };
}

export interface CheckCredentialsInput {
  client: LrsClient;
  credentials: OrganisationCredentials;
  /** UserName sent (default the organisation's default UserName). */
  userName?: string | undefined;
  /** Learner looked up (default CHECK_LEARNER). */
  learner?: { uln: string; givenName: string; familyName: string } | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** Makes one learnerByULN (FUL) call and says whether the credentials work. Never throws. */
export async function checkCredentials(i: CheckCredentialsInput): Promise<CredentialCheck> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await i.client.learnerByUln(
      { ...i.credentials.identity, userName: i.userName ?? i.credentials.defaultUserName },
      { ...(i.learner ?? CHECK_LEARNER), findType: 'FUL' },
      { signal: i.signal, timeoutMs: i.timeoutMs },
    );
    return {
      ok: true,
      code: result.code,
      outcome: result.outcome,
      summary: `credentials work: the LRS answered ${result.code} (${result.outcome.replace('_', ' ')})`,
      durationMs: elapsed(),
    };
  } catch (e) {
    return classifyCheckError(e, elapsed());
  }
}
