import type { CodeClass, CodeSource } from './types.ts';

/** Our own codes for failures the LRS did not name. An LRS code is only ever used when the LRS sent it. */
export const RELAY_CODES = {
  /** Our validation refused the request before any call; `problems` lists every field problem. */
  LOCAL_VALIDATION: 'LOCAL_VALIDATION',
  /** No answer within the per-call timeout. Ambiguous: the request may have reached the LRS. */
  TIMEOUT: 'TIMEOUT',
  /** TCP connection refused/reset/unreachable, DNS failure. The request did not reach the LRS. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** TLS handshake or certificate failure (ours or the server's). */
  TLS_FAILED: 'TLS_FAILED',
  /** The LRS maintenance page (HTTP 405 with an HTML "UnsupportedHttpVerb" body). */
  LRS_MAINTENANCE: 'LRS_MAINTENANCE',
  /** A non-SOAP body (HTML, text, empty) with any other status. */
  NON_SOAP_RESPONSE: 'NON_SOAP_RESPONSE',
  /** An HTTP error status with a SOAP body we could not read as a known fault. */
  HTTP_ERROR: 'HTTP_ERROR',
  /** A SOAP fault without an LRS error code that rejects the request itself (e.g. WCF ActionNotSupported). */
  SOAP_FAULT: 'SOAP_FAULT',
  /** A SOAP fault without an LRS error code reporting a server-side failure (e.g. WCF InternalServiceFault). */
  LRS_INTERNAL_ERROR: 'LRS_INTERNAL_ERROR',
  /** A SOAP body that did not have the shape expected for the operation, or hostile XML (DOCTYPE). */
  MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  /** http:// endpoint without explicit permission, missing credentials, unreadable certificate… */
  CONFIGURATION: 'CONFIGURATION',
  /** A response was read but it carries no overall LRS response code (retrieveULNs: per-ULN codes only). */
  RESPONSE_READ: 'RESPONSE_READ',
  /** The call was aborted by the caller's AbortSignal (shutdown). */
  ABORTED: 'ABORTED',
} as const;
export type RelayCode = (typeof RELAY_CODES)[keyof typeof RELAY_CODES];

/** One field problem found by local validation, in plain words. */
export interface FieldProblem {
  /** Path of the field, e.g. `learner.dateOfBirth` or `learners[3].uln`. */
  field: string;
  message: string;
}

export interface LrsErrorOptions {
  code: string;
  codeSource: CodeSource;
  class: CodeClass;
  retryable: boolean;
  operation?: string | undefined;
  httpStatus?: number | undefined;
  /** LRS fault text (Description / FurtherDetails); never personal data we sent. */
  description?: string | undefined;
  furtherDetails?: string | undefined;
  problems?: FieldProblem[] | undefined;
  /**
   * True when the request may have reached the LRS (timeout after send, connection reset after send).
   * Registration must search again before registering again.
   */
  ambiguous?: boolean | undefined;
  cause?: unknown;
}

/** Every failure of an LRS call: a stable code, where it came from, its class and whether to retry. */
export class LrsError extends Error {
  override readonly name = 'LrsError';
  readonly code: string;
  readonly codeSource: CodeSource;
  readonly class: CodeClass;
  readonly retryable: boolean;
  readonly operation: string | undefined;
  readonly httpStatus: number | undefined;
  readonly description: string | undefined;
  readonly furtherDetails: string | undefined;
  readonly problems: FieldProblem[];
  readonly ambiguous: boolean;

  constructor(message: string, o: LrsErrorOptions) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.code = o.code;
    this.codeSource = o.codeSource;
    this.class = o.class;
    this.retryable = o.retryable;
    this.operation = o.operation;
    this.httpStatus = o.httpStatus;
    this.description = o.description;
    this.furtherDetails = o.furtherDetails;
    this.problems = o.problems ?? [];
    this.ambiguous = o.ambiguous ?? false;
  }

  /** A JSON-safe summary (no stack, no personal data). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      codeSource: this.codeSource,
      class: this.class,
      retryable: this.retryable,
      operation: this.operation,
      httpStatus: this.httpStatus,
      description: this.description,
      furtherDetails: this.furtherDetails,
      problems: this.problems.length > 0 ? this.problems : undefined,
      ambiguous: this.ambiguous || undefined,
    };
  }
}

export function isLrsError(e: unknown): e is LrsError {
  return e instanceof LrsError;
}
