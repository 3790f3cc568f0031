/**
 * Fault and failure bodies in the shapes docs/lrs.md §5.4 describes: the Java MIAPAPIException (LearnerService.svc),
 * WCF faults (ActionNotSupported, DomainFault, internal error) and the Azure-storage-style maintenance page.
 */
import { escapeXml, formatMiapDateTime, miapEnvelope, NS, wcfEnvelope, type XmlNode } from './xml.ts';

/** Description texts of the WSEC codes the simulator raises as faults. */
export const WSEC_DESCRIPTIONS = {
  WSEC0001:
    'Invalid request, The request was badly formed - this may include missing mandatory parameters, or invalid data types.',
  WSEC0002: 'Unknown request, The requested operation is not supported.',
  WSEC0003:
    'Unknown organisation, The organisation is not known or is not authorised to use the web services.',
  WSEC0004: 'Out of hours, The request was made outside the operational hours of the service.',
  WSEC0005: 'Incorrect password, The organisation password supplied is incorrect.',
  WSEC0006: 'Insufficient access, The organisation is not allowed to use this operation.',
  WSEC0046: 'The number of achievements in the request exceeds the maximum permitted.',
} as const;
export type FaultCode = keyof typeof WSEC_DESCRIPTIONS;

/** Actors as the Java service names them; validation faults come from the schema validator. */
const ACTORS: Record<FaultCode, string> = {
  WSEC0001: 'uk.gov.miap.lrs.api.learner.utils.MSGValidator.validateSOAPMSG()',
  WSEC0002: 'uk.gov.miap.lrs.api.learner.LearnerServiceImpl.dispatch()',
  WSEC0003: 'uk.gov.miap.lrs.api.security.OrganisationValidator.validateOrganisation()',
  WSEC0004: 'uk.gov.miap.lrs.api.security.ServiceHoursValidator.validate()',
  WSEC0005: 'uk.gov.miap.lrs.api.security.OrganisationValidator.validatePassword()',
  WSEC0006: 'uk.gov.miap.lrs.api.security.AccessValidator.validateOperation()',
  WSEC0046: 'uk.gov.miap.lrs.api.achievement.AchievementValidator.validate()',
};

/** HTTP 500 MIAPAPIException fault; detail children are unqualified, as on the real service. */
export function miapFault(code: FaultCode, furtherDetails: string, now: number): string {
  return miapEnvelope(
    `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>uk.gov.miap.lrs.api.exceptions.MIAPAPIException</faultstring>` +
      `<detail><ns10:MIAPAPIException xmlns:ns10="${NS.exceptions}"><ErrorCode>${code}</ErrorCode><ErrorActor>${ACTORS[code]}</ErrorActor>` +
      `<Description>${escapeXml(WSEC_DESCRIPTIONS[code])}</Description><FurtherDetails>${escapeXml(furtherDetails)}</FurtherDetails>` +
      `<ErrorTimestamp>${formatMiapDateTime(now)}</ErrorTimestamp></ns10:MIAPAPIException></detail></soapenv:Fault>`,
  );
}

/** WCF's answer to a missing or unknown SOAPAction (HTTP 500). */
export function actionNotSupportedFault(action: string): string {
  return wcfEnvelope(
    `<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode>` +
      `<faultstring xml:lang="en-GB">The message with Action '${escapeXml(action)}' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher. ` +
      `This may be because of either a contract mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch between the sender and the receiver. ` +
      `Check that sender and receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None).</faultstring></s:Fault>`,
  );
}

/** R9/External DomainFault (HTTP 500) carrying an LRS error code; ErrorDetail is base64 of the description. */
export function domainFault(code: string, description: string): string {
  return wcfEnvelope(
    `<s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-GB">${escapeXml(description)}</faultstring>` +
      `<detail><DomainFault xmlns="${NS.faults}" xmlns:i="${NS.xsi}"><ErrorCode>${escapeXml(code)}</ErrorCode>` +
      `<ErrorDetail>${Buffer.from(description, 'utf8').toString('base64')}</ErrorDetail></DomainFault></detail></s:Fault>`,
  );
}

/** What WCF sends for an unhandled exception with exception details hidden (HTTP 500). */
export function internalErrorFault(): string {
  return wcfEnvelope(
    `<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher">a:InternalServiceFault</faultcode>` +
      `<faultstring xml:lang="en-GB">The server was unable to process the request due to an internal error.</faultstring></s:Fault>`,
  );
}

/**
 * The LRS's maintenance answer in SOAP form (sent with HTTP 405, docs/lrs.md §5.4): a MIAPAPIException
 * whose ErrorCode is WSEC0001 but whose Description and FurtherDetails name UnsupportedHttpVerb.
 */
export function maintenanceFault(now: number): string {
  return miapEnvelope(
    `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>uk.gov.miap.lrs.api.exceptions.MIAPAPIException</faultstring>` +
      `<detail><ns10:MIAPAPIException xmlns:ns10="${NS.exceptions}"><ErrorCode>WSEC0001</ErrorCode><ErrorActor>${ACTORS.WSEC0001}</ErrorActor>` +
      `<Description>UnsupportedHttpVerb</Description><FurtherDetails>UnsupportedHttpVerb GET</FurtherDetails>` +
      `<ErrorTimestamp>${formatMiapDateTime(now)}</ErrorTimestamp></ns10:MIAPAPIException></detail></soapenv:Fault>`,
  );
}

/** The HTML page the LRS host answered with (HTTP 405) during DfE maintenance windows. */
export function maintenancePage(requestId: string, now: number): string {
  return (
    `<!DOCTYPE html><html><head><title>UnsupportedHttpVerb</title></head><body><h1>The resource doesn't support specified Http Verb.</h1>` +
    `<p><ul><li>HttpStatusCode: 405</li><li>ErrorCode: UnsupportedHttpVerb</li><li>RequestId : ${requestId}</li>` +
    `<li>TimeStamp : ${new Date(now).toISOString()}</li></ul></p></body></html>`
  );
}

/** The text of the first element named `name` (local name) under `node`, depth first; '' when there is none. */
function firstText(node: XmlNode, name: string): string | undefined {
  if (node.name === name) return node.text;
  for (const c of node.children) {
    const t = firstText(c, name);
    if (t !== undefined) return t;
  }
  return undefined;
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** How `{Name|filter}` writes a value: the LRS's text is not bound to the form we sent it in. */
const FILTERS: Record<string, (v: string) => string> = {
  upper: (v) => v.toUpperCase(),
  lower: (v) => v.toLowerCase(),
  nospace: (v) => v.replace(/\s+/g, ''),
  /** An ISO date as 31/01/2005. */
  ukdate: (v) => v.replace(/^(\d{4})-(\d{2})-(\d{2}).*$/, '$3/$2/$1'),
  /** An ISO date as 31 January 2005. */
  longdate: (v) =>
    v.replace(
      /^(\d{4})-(\d{2})-(\d{2}).*$/,
      (_, y: string, m: string, d: string) => `${Number(d)} ${MONTH_NAMES[Number(m) - 1] ?? m} ${y}`,
    ),
};

/**
 * The `faultDetails` setting for one request: each `{Name}` becomes the text of the request's element of
 * that local name, written as a filter says when one is given (`{FamilyName|upper}`, `{DateOfBirth|ukdate}`,
 * `{LastKnownPostCode|nospace}`; also `lower` and `longdate`).
 */
export function quoteRequest(template: string, body: XmlNode): string {
  return template.replace(
    /\{([A-Za-z][A-Za-z0-9]*)(?:\|([a-z]+))?\}/g,
    (_, name: string, filter: string | undefined) => {
      const value = firstText(body, name) ?? '';
      return filter === undefined ? value : (FILTERS[filter] ?? ((v: string) => v))(value);
    },
  );
}
