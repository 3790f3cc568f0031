/**
 * The LRS client's own codes, for failures the LRS did not name (an LRS code is only ever used when the LRS
 * sent it), with their entries in the code table. src/lrs imports RELAY_CODES from here.
 */
import { answer, failure } from './entry.ts';
import type { CodeEntry } from './types.ts';

export const RELAY_CODES = {
  /** Our validation refused the request before any call; `problems` lists every field problem. */
  LOCAL_VALIDATION: 'LOCAL_VALIDATION',
  /** No answer within the per-call timeout. Ambiguous: the request may have reached the LRS. */
  TIMEOUT: 'TIMEOUT',
  /** TCP connection refused/reset/unreachable, DNS failure. The request did not reach the LRS. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** TLS handshake or certificate failure (ours or the server's). */
  TLS_FAILED: 'TLS_FAILED',
  /**
   * The LRS is down for maintenance: HTTP 405 whatever the body (the HTML "UnsupportedHttpVerb" page, or its
   * SOAP fault with ErrorCode WSEC0001), or a fault whose Description or FurtherDetails names
   * UnsupportedHttpVerb whatever its ErrorCode and status (docs/lrs.md §5.4).
   */
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
  /**
   * An R9 call (learning events, learner by ULN) refused before sending: the vendor id is 0 (not set) and the
   * endpoint is not the simulator (docs/lrs.md §2.4).
   */
  VENDOR_ID_NOT_SET: 'VENDOR_ID_NOT_SET',
  /** A response was read but it carries no overall LRS response code (retrieveULNs: per-ULN codes only). */
  RESPONSE_READ: 'RESPONSE_READ',
  /** The call was aborted by the caller's AbortSignal (shutdown). */
  ABORTED: 'ABORTED',
} as const;
export type RelayCode = (typeof RELAY_CODES)[keyof typeof RELAY_CODES];

const C = RELAY_CODES;

export const CLIENT_CODE_ENTRIES: readonly CodeEntry[] = [
  failure(
    C.LOCAL_VALIDATION,
    'relay',
    'data_error',
    'data_error',
    'lrs-relay refused to send the request: some fields break the LRS rules (listed).',
    'Correct each listed field in the MIS; the request was never sent to the LRS.',
  ),
  failure(
    C.TIMEOUT,
    'relay',
    'retryable',
    'timeout',
    'No answer from the LRS within the time limit. The request may have reached the LRS.',
    'Nothing to do; lrs-relay retries (a registration searches again first). If it keeps happening, check the LRS service status.',
  ),
  failure(
    C.CONNECTION_FAILED,
    'relay',
    'retryable',
    'transport',
    'Could not connect to the LRS (refused, unreachable or DNS failure).',
    'Nothing to do if brief; lrs-relay retries. If it persists, check the network/firewall and the LRS endpoint address.',
  ),
  failure(
    C.TLS_FAILED,
    'relay',
    'config_error',
    'configuration',
    'The secure connection failed (certificate or TLS problem).',
    'Check the LRS client certificate configured for lrs-relay (expired? wrong passphrase?) and that the endpoint address is right.',
  ),
  failure(
    C.LRS_MAINTENANCE,
    'relay',
    'retryable',
    'maintenance',
    'The LRS is down for maintenance: it answered HTTP 405 (its maintenance page, or its fault saying UnsupportedHttpVerb, which carries the code WSEC0001 but is not a data error).',
    'Nothing to do; lrs-relay pauses the queue and retries after the maintenance window (see the LRS maintenance schedule on GOV.UK).',
  ),
  failure(
    C.NON_SOAP_RESPONSE,
    'relay',
    'retryable',
    'transport',
    'The LRS (or something in between) answered with a page that is not a web-service reply.',
    'Nothing to do if brief; if it persists, check the endpoint address and any proxy in between.',
  ),
  failure(
    C.HTTP_ERROR,
    'relay',
    'retryable',
    'transport',
    'The LRS answered with an HTTP error and no readable fault.',
    'Nothing to do if brief; if it persists, report it to the LRS service desk with the request id.',
  ),
  failure(
    C.SOAP_FAULT,
    'relay',
    'config_error',
    'configuration',
    'The LRS returned a fault without an LRS error code (for example action not supported).',
    'Report it to the lrs-relay maintainers with the request id.',
  ),
  failure(
    C.LRS_INTERNAL_ERROR,
    'relay',
    'retryable',
    'transport',
    'The LRS reported an internal error (a fault without an LRS error code).',
    'Nothing to do if brief; lrs-relay retries. If it persists, report it to the LRS service desk with the time and request id.',
  ),
  // Never retried. The checks that raise it read a complete SOAP envelope (unexpected element, missing
  // ResponseCode, DOCTYPE or entities, a body over the size cap), so it is what the LRS itself said and a
  // retry gets the same answer; a proxy's glitch shows up as NON_SOAP_RESPONSE, HTTP_ERROR or
  // CONNECTION_FAILED (a cut body is not a SOAP envelope), which are retried. Ten retries would only
  // delay the report to the maintainers by a quarter of an hour and call the LRS ten times more.
  failure(
    C.MALFORMED_RESPONSE,
    'relay',
    'unknown',
    'configuration',
    'The reply could not be read (unexpected shape, or unsafe XML that was refused). A retry would get the same reply, so lrs-relay does not retry it.',
    'Report it to the lrs-relay maintainers with the request id; once fixed, retry the request.',
  ),
  failure(
    C.CONFIGURATION,
    'relay',
    'config_error',
    'configuration',
    'lrs-relay is not configured correctly for this call (endpoint, credentials or certificate).',
    'Check the lrs-relay configuration for this organisation.',
  ),
  failure(
    C.VENDOR_ID_NOT_SET,
    'relay',
    'config_error',
    'configuration',
    'lrs-relay did not send this R9 call (learning events, learner by ULN): the vendor id is 0, which suits only the simulator. The LRS issues a vendor id to each software supplier and expects it on every R9 call.',
    'Ask the supplier of this software (or the LRS service desk) for its LRS vendor id. Set LRS_VENDOR_ID to it (the default for organisations added from now on) and run `lrs-relay orgs update <organisation> --vendor-id N` for each organisation already added; `lrs-relay orgs test` then no longer reports it. Then retry the request.',
  ),
  answer(
    C.RESPONSE_READ,
    'relay',
    'success',
    'The LRS answered without an overall response code; see the code of each item.',
    'Nothing to do; look at the per-learner codes.',
  ),
  failure(
    C.ABORTED,
    'relay',
    'retryable',
    'transport',
    'The call was cancelled (for example during shutdown).',
    'Nothing to do; the job is retried.',
  ),
];
