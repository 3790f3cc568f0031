/**
 * The contract-drift check behind `lrs-relay wsdl check` and `orgs test`: fetch each service's
 * `?singleWsdl` (one GET per service, with the client's TLS rules, a timeout and a size cap), read it
 * with soap (contract.ts) and compare it with our message descriptions and, for the answers, with our
 * own WSDLs (wsdl/, read once per run). Fetch failures carry our own codes (the client's: TIMEOUT,
 * CONNECTION_FAILED, TLS_FAILED, HTTP_ERROR, MALFORMED_RESPONSE…).
 */
import { readFile } from 'node:fs/promises';
import { RELAY_CODES } from '../codes/client-codes.ts';
import {
  compareService,
  readWsdlText,
  WsdlReadError,
  type ReadWsdl,
  type ServiceContractReport,
} from './contract.ts';
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

/** Our own WSDL of each service, in the project's wsdl/ folder (the simulator serves the same files). */
export const BUNDLED_WSDL_FILES: Readonly<Record<ServiceName, string>> = {
  learnerService: 'LearnerService.wsdl',
  learnerServiceR9: 'LearnerServiceR9.wsdl',
  externalService: 'ExternalService.wsdl',
};

/**
 * wsdl/ beside src/: two levels up from this module, in the checkout and in the build (scripts/build.mjs
 * copies wsdl/ to dist/wsdl/ beside dist/src/).
 */
const BUNDLED_WSDL_DIR = new URL('../../wsdl/', import.meta.url);

/** Reads our own WSDL of a service with the same reader as the fetched ones. Throws WsdlReadError. */
export async function readBundledWsdl(service: ServiceName, dir: URL = BUNDLED_WSDL_DIR): Promise<ReadWsdl> {
  const file = BUNDLED_WSDL_FILES[service];
  let text: string;
  try {
    text = await readFile(new URL(file, dir), 'utf8');
  } catch (e) {
    throw new WsdlReadError(`our own ${file} could not be read from the wsdl/ folder`, { cause: e });
  }
  return readWsdlText(text, `our own ${file}`);
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
          // Ours first: without it there is nothing to compare the answers with.
          let bundled: ReadWsdl;
          try {
            bundled = await readBundledWsdl(service);
          } catch (e) {
            if (e instanceof WsdlReadError)
              return { service, url, error: { code: RELAY_CODES.CONFIGURATION, message: e.message } };
            throw e;
          }
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
          return { service, url, report: compareService(service, wsdl, bundled) };
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
