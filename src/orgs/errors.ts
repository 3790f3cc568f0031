/**
 * Errors about an organisation's set-up: its secrets, certificate or record. Each carries a stable
 * `code`, the organisation it concerns (its UKPRN/reference and name, never a secret) and, where it
 * helps, the secret *reference* that failed (`env:NAME`, `file:/path`), never the value.
 */

export const ORG_ERROR_CODES = {
  /** A password or passphrase was typed in clear where a reference (env:/file:/stdin) was expected. */
  PLAIN_SECRET: 'ORG_PLAIN_SECRET',
  /** A secret reference could not be read (variable unset, file missing, decryption failed). */
  SECRET_UNREADABLE: 'ORG_SECRET_UNREADABLE',
  /** A secret was read but it is not a valid value (e.g. the LRS password is not 16 characters). */
  SECRET_INVALID: 'ORG_SECRET_INVALID',
  /** `stdin` was asked for but SECRETS_KEY is not set, so the value could not be stored encrypted. */
  SECRETS_KEY_MISSING: 'ORG_SECRETS_KEY_MISSING',
  /** The certificate or key file could not be read or parsed. */
  CERTIFICATE_UNREADABLE: 'ORG_CERTIFICATE_UNREADABLE',
  /** The PFX or key passphrase is wrong (or missing). */
  CERTIFICATE_PASSPHRASE: 'ORG_CERTIFICATE_PASSPHRASE',
  /** The certificate's notAfter is in the past. */
  CERTIFICATE_EXPIRED: 'ORG_CERTIFICATE_EXPIRED',
  /** The certificate's notBefore is in the future. */
  CERTIFICATE_NOT_YET_VALID: 'ORG_CERTIFICATE_NOT_YET_VALID',
  /** The private key does not belong to the certificate. */
  CERTIFICATE_KEY_MISMATCH: 'ORG_CERTIFICATE_KEY_MISMATCH',
  /** No organisation with that id, UKPRN or reference. */
  NOT_FOUND: 'ORG_NOT_FOUND',
  /** The organisation is disabled; no new LRS work is started for it. */
  DISABLED: 'ORG_DISABLED',
  /** Bad command-line or field input (UKPRN format, both UKPRN and reference, …). */
  INVALID_INPUT: 'ORG_INVALID_INPUT',
} as const;
export type OrgErrorCode = (typeof ORG_ERROR_CODES)[keyof typeof ORG_ERROR_CODES];

export interface OrganisationErrorOptions {
  /** How to name the organisation in messages, e.g. `10000001 (North College)`. */
  organisation?: string | undefined;
  /** The secret reference involved, e.g. `env:LRS_PASSWORD_A` — a name, never a value. */
  reference?: string | undefined;
  cause?: unknown;
}

export class OrganisationError extends Error {
  override readonly name = 'OrganisationError';
  readonly code: OrgErrorCode;
  readonly organisation: string | undefined;
  readonly reference: string | undefined;

  constructor(code: OrgErrorCode, message: string, o: OrganisationErrorOptions = {}) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.code = code;
    this.organisation = o.organisation;
    this.reference = o.reference;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      organisation: this.organisation,
      reference: this.reference,
    };
  }
}

export function isOrganisationError(e: unknown): e is OrganisationError {
  return e instanceof OrganisationError;
}
