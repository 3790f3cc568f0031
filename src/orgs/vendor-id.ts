/**
 * Vendor id 0 is fine against the simulator and wrong against the LRS, which issues a vendor id to each
 * software vendor and expects it as `vendorID` on the R9 calls (learning events, learner by ULN).
 */

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/**
 * True when `endpoint` can be the real LRS: https:// (the LRS speaks only HTTPS, the simulator only plain
 * HTTP) on a host that is not this machine (a TLS front for a local simulator, as in tests, is not the LRS).
 */
export function isRealLrsEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && !LOOPBACK_HOST.test(url.hostname);
}

/**
 * The warning for vendor id 0 against an endpoint that can be the real LRS, or undefined. `fix` says how to set
 * it where the id came from (LRS_VENDOR_ID, or `orgs update --vendor-id` for an organisation).
 */
export function vendorIdWarning(o: { vendorId: number; endpoint: string; fix: string }): string | undefined {
  if (o.vendorId !== 0 || !isRealLrsEndpoint(o.endpoint)) return undefined;
  return (
    `vendor id is 0 but ${o.endpoint} is not the simulator: the LRS issues a vendor id to each software ` +
    `vendor (ask the LRS service desk or the vendor of this software for it) and expects it on every R9 call ` +
    `(learning events, learner by ULN); ${o.fix}`
  );
}
