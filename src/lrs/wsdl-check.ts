/**
 * The contract-drift check behind `lrs-relay wsdl check` and `orgs test`: fetch each service's
 * `?singleWsdl` (one GET per service, with the client's TLS rules, a timeout and a size cap), read it
 * with soap (contract.ts) and compare it with our message descriptions. Fetch failures carry our own
 * codes (the client's: TIMEOUT, CONNECTION_FAILED, TLS_FAILED, HTTP_ERROR, MALFORMED_RESPONSE…).
 */
import { RELAY_CODES } from '../codes/client-codes.ts';
import { compareService, readWsdlText, WsdlReadError, type ServiceContractReport } from './contract.ts';
import { isLrsError } from './errors.ts';
import type { ServiceName } from './messages.ts';
import { relayError } from './response.ts';
import { createTransport } from './transport.ts';
import type { LrsEndpoints, LrsTlsCredentials } from './types.ts';

/** The services checked, in the order they are reported. */
export const WSDL_SERVICES: readonly ServiceName[] = [
  'learnerService',
  'learnerServiceR9',
  'externalService',
];

/**
 * Largest WSDL accepted, bytes: 1 MiB. The published `?singleWsdl` documents are 21–57 KB; a body far
 * past that is not the LRS's WSDL, and soap holds all of it in memory.
 */
export const WSDL_MAX_BYTES = 1024 * 1024;

/** Default time for one WSDL fetch, ms (connect, headers and body). */
export const WSDL_TIMEOUT_MS = 15_000;

export interface WsdlCheckOptions {
  /** The three service URLs; `?singleWsdl` is appended to each. */
  endpoints: LrsEndpoints;
  /** Per fetch, ms (default WSDL_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /** TCP+TLS connect timeout, ms (default 5000). */
  connectTimeoutMs?: number | undefined;
  /** Largest body accepted, bytes (default WSDL_MAX_BYTES). */
  maxBytes?: number | undefined;
  /** Plain http:// URLs are refused unless true (the simulator). */
  allowInsecureHttp?: boolean | undefined;
  /** A client certificate, when the host demands one for the WSDL too (the simulator does not). */
  tls?: LrsTlsCredentials | undefined;
  /** CA certificate(s), PEM, instead of Node's bundled roots (as the client's `ca`). */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  signal?: AbortSignal | undefined;
}

/** What happened for one service: the comparison, or why there is none. */
export interface ServiceWsdlCheck {
  service: ServiceName;
  /** The URL fetched (`…/LearnerService.svc?singleWsdl`). */
  url: string;
  /** The comparison; absent when the WSDL could not be fetched or read. */
  report?: ServiceContractReport | undefined;
  /** Why the WSDL could not be fetched or read: one of our codes and a sentence. */
  error?: { code: string; message: string } | undefined;
}

export interface WsdlCheckResult {
  /** True when every service's WSDL was read and matches our descriptions. */
  ok: boolean;
  services: ServiceWsdlCheck[];
}

const wsdlUrl = (endpoint: string): string => `${endpoint.replace(/\?.*$/, '')}?singleWsdl`;

/** Fetches, reads and compares the three services' WSDLs (concurrently). Never throws for a service's failure. */
export async function checkWsdls(o: WsdlCheckOptions): Promise<WsdlCheckResult> {
  const transport = createTransport({
    timeoutMs: o.timeoutMs ?? WSDL_TIMEOUT_MS,
    connectTimeoutMs: o.connectTimeoutMs,
    allowInsecureHttp: o.allowInsecureHttp,
    tls: o.tls,
    ca: o.ca,
  });
  try {
    const services = await Promise.all(
      WSDL_SERVICES.map(async (service): Promise<ServiceWsdlCheck> => {
        const url = wsdlUrl(o.endpoints[service]);
        try {
          const answer = await transport.get(url, {
            operation: 'singleWsdl',
            signal: o.signal,
            maxBytes: o.maxBytes ?? WSDL_MAX_BYTES,
          });
          if (answer.status !== 200)
            throw relayError(RELAY_CODES.HTTP_ERROR, `HTTP ${answer.status} instead of the WSDL`, {
              operation: 'singleWsdl',
              httpStatus: answer.status,
            });
          const wsdl = await readWsdlText(answer.body, 'the WSDL');
          return { service, url, report: compareService(service, wsdl) };
        } catch (e) {
          if (isLrsError(e)) return { service, url, error: { code: e.code, message: e.message } };
          if (e instanceof WsdlReadError)
            return { service, url, error: { code: RELAY_CODES.MALFORMED_RESPONSE, message: e.message } };
          throw e;
        }
      }),
    );
    return {
      ok: services.every((s) => s.report !== undefined && s.report.differences.length === 0),
      services,
    };
  } finally {
    await transport.close();
  }
}
