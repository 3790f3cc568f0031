/** Where the three LRS services live under one host (docs/lrs.md §1.1). */
import type { ServiceName } from './messages.ts';
import type { LrsEndpoints } from './types.ts';

/** Each service's path under the host. */
export const SERVICE_PATHS: Readonly<Record<ServiceName, string>> = Object.freeze({
  learnerService: '/LearnerService.svc',
  learnerServiceR9: '/LearnerServiceR9.svc',
  externalService: '/ExternalService.svc',
});

/** The three service URLs under one base URL (`https://cmp-ws.dev.lrs.education.gov.uk`); trailing slashes ignored. */
export function endpointsAt(base: string): LrsEndpoints {
  const b = base.replace(/\/+$/, '');
  return {
    learnerService: `${b}${SERVICE_PATHS.learnerService}`,
    learnerServiceR9: `${b}${SERVICE_PATHS.learnerServiceR9}`,
    externalService: `${b}${SERVICE_PATHS.externalService}`,
  };
}

/**
 * True when `endpoint` is the simulator (or a test double), never the LRS: a plain `http://` address. The LRS
 * answers only HTTPS with mutual TLS; lrs-relay's simulator serves plain HTTP only, and lrs-relay speaks plain
 * HTTP only when LRS_ALLOW_INSECURE_HTTP=true says so. Every `https://` endpoint may be the LRS, on this
 * machine too (a TLS front such as stunnel can hold the way to it). docs/lrs.md §2.4.
 */
export function isSimulatorEndpoint(endpoint: string): boolean {
  try {
    return new URL(endpoint).protocol === 'http:';
  } catch {
    return false;
  }
}

/** How to set the vendor id, in general; `orgs test` names the organisation instead. */
export const VENDOR_ID_FIX =
  'set LRS_VENDOR_ID (the default for organisations added from now on) and `lrs-relay orgs update <organisation> ' +
  '--vendor-id N` for each organisation already added';

/**
 * Why an R9 call with vendor id `vendorId` must not be sent to `endpoint`, or undefined when it may be: vendor
 * id 0 (unset) suits the simulator only, since the LRS issues each software supplier its own (docs/lrs.md §2.4).
 * `fix` says how to set it where the id came from.
 */
export function vendorIdRefusal(
  vendorId: number | undefined,
  endpoint: string,
  fix: string = VENDOR_ID_FIX,
): string | undefined {
  if ((vendorId ?? 0) !== 0 || isSimulatorEndpoint(endpoint)) return undefined;
  return (
    `vendor id is 0 (not set) and ${endpoint} is not the simulator: the LRS issues a vendor id to each ` +
    'software supplier and expects it on every R9 call (learning events, learner by ULN), so lrs-relay refuses ' +
    'to send them without one (VENDOR_ID_NOT_SET). Ask the supplier of this software or the LRS service desk ' +
    `for it; ${fix}`
  );
}
