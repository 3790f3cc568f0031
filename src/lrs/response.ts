/**
 * Turns an HTTP answer into either a SOAP body to parse or a typed LrsError:
 * MIAPAPIException and DomainFault faults keep the LRS's own ErrorCode; anything the LRS did not
 * name (maintenance page, HTML, WCF infrastructure faults, HTTP errors) gets one of our codes.
 * We never report an LRS code the LRS did not send.
 */
import { RELAY_CODES } from '../codes/client-codes.ts';
import { explainCode, isRetryable } from '../codes/table.ts';
import { LrsError, type FieldProblem } from './errors.ts';
import { isXmlError } from '../xml/xml-error.ts';
import { child, childText, hasDoctype, readSoapBody, type SoapBody, type XNode } from './xml.ts';

/**
 * Largest answer body the client reads, bytes (8 MiB). The largest real answers, measured with
 * `npm run bench -- xml-sizes`: a verify-batch output of 5,000 rows (the most rows any answer carries,
 * every field at its longest) is 3.1 MB, a learning-events answer with 1,007 events 0.7 MB; 8 MiB leaves
 * 2.5× headroom. The old cap of 50 MB let one hostile answer cost about 2 GB of memory.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * Most XML nodes (elements, attributes, text pieces) the client accepts in one answer: 250,000, about twice
 * the 115,000 of that 5,000-row verify output. Bounds the parsed tree to roughly 60 MB whatever the body.
 */
export const MAX_RESPONSE_NODES = 250_000;

/** An LrsError for one of our codes (class and retryability from the catalogue). */
export function relayError(
  code: string,
  message: string,
  o: {
    operation?: string | undefined;
    httpStatus?: number | undefined;
    ambiguous?: boolean;
    cause?: unknown;
    problems?: FieldProblem[];
    description?: string | undefined;
  } = {},
): LrsError {
  const entry = explainCode(code);
  return new LrsError(message, {
    ...o,
    code,
    codeSource: 'relay',
    class: entry.class,
    retryable: isRetryable(entry),
  });
}

/** The maintenance page (docs/lrs.md §5.4): an Azure-storage-style HTML page titled UnsupportedHttpVerb. */
export function looksLikeMaintenancePage(body: string): boolean {
  return (
    /UnsupportedHttpVerb|doesn't support specified Http Verb/i.test(body) &&
    /<html|<!doctype html|<h1|<li/i.test(body)
  );
}

/**
 * The forms in which schema-validation messages quote the value we sent: Xerces facets
 * (`Value 'Smith' is not facet-valid…`), element/attribute types (`The value 'Smith' of element…`, also .NET's
 * `The value 'x' cannot be parsed…`) and datatypes (`cvc-datatype-valid.1.2.1: '2023-02-30' is not a valid value…`).
 */
const QUOTED_VALUE = /(\b[Vv]alue |cvc-datatype-valid[.0-9]*: )'(?:[^']|'')*'/g;

/** The value quoted in a fault text may be personal data, so it is removed before the text is kept anywhere. */
export function redactFaultText(s: string | undefined): string | undefined {
  return s?.replace(QUOTED_VALUE, "$1'[redacted]'");
}

/**
 * A DomainFault's ErrorDetail is base64 of the description (docs/lrs.md §5.4): decoded, so the text is
 * stored readable and the learner's values in it can be found and redacted (base64 would hide them from
 * that and still carry them). Kept as sent when it is not base64 of printable UTF-8 text.
 */
export function decodeErrorDetail(s: string | undefined): string | undefined {
  const t = s?.trim();
  if (!t || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return s;
  const text = Buffer.from(t, 'base64').toString('utf8');
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text) ? s : text;
}

export interface HttpAnswer {
  status: number;
  contentType?: string | undefined;
  body: string;
}

/** True when any text of the fault (faultcode, faultstring, detail) says UnsupportedHttpVerb. */
function mentionsUnsupportedHttpVerb(node: XNode | undefined, depth = 0): boolean {
  if (!node || depth > 16) return false;
  if (/UnsupportedHttpVerb/i.test(node.text)) return true;
  return node.children.some((c) => mentionsUnsupportedHttpVerb(c, depth + 1));
}

/**
 * True when a MIAPAPIException's own text says UnsupportedHttpVerb: the LRS's answer during maintenance
 * (docs/lrs.md §5.4) carries ErrorCode WSEC0001 with Description `UnsupportedHttpVerb` and FurtherDetails
 * `UnsupportedHttpVerb GET`. Only a text that starts with the word counts: a schema fault's FurtherDetails
 * quotes what was sent (`Value '…'`), so a word met further in could be the learner's data.
 */
function namesUnsupportedHttpVerb(...texts: (string | undefined)[]): boolean {
  return texts.some((t) => t !== undefined && /^\s*UnsupportedHttpVerb\b/i.test(t));
}

/**
 * Reads a SOAP fault into an LrsError. Maintenance first, whatever the ErrorCode: HTTP 405 whatever the
 * body, or a fault whose Description or FurtherDetails names UnsupportedHttpVerb whatever the status
 * (the real maintenance fault says WSEC0001, which would otherwise read as a data error and fail the
 * request for good). Then the fault's own ErrorCode when it has one (an LRS code is only used when the
 * LRS sent it), else a server failure or a fault about the request.
 */
function faultToError(
  fault: SoapBody['fault'],
  operation: string | undefined,
  httpStatus: number | undefined,
): LrsError {
  const detail = child(fault, 'detail') ?? child(fault, 'Detail');
  const miap = child(detail, 'MIAPAPIException');
  const domain = child(detail, 'DomainFault');
  const faultcode = childText(fault, 'faultcode') ?? '';
  const faultstring = childText(fault, 'faultstring');
  const lrsCode = (childText(miap, 'ErrorCode') ?? childText(domain, 'ErrorCode'))?.trim();
  const description = childText(miap, 'Description');
  const furtherDetails = childText(miap, 'FurtherDetails');
  if (
    httpStatus === 405 ||
    namesUnsupportedHttpVerb(description, furtherDetails) ||
    (!lrsCode && mentionsUnsupportedHttpVerb(fault))
  ) {
    const said = lrsCode ? ` ${lrsCode}` : '';
    return relayError(
      RELAY_CODES.LRS_MAINTENANCE,
      `LRS maintenance: SOAP fault${said} (HTTP ${httpStatus ?? 'unknown'}, ${faultcode || 'no faultcode'})`,
      {
        operation,
        httpStatus,
        description: redactFaultText([description, furtherDetails].filter(Boolean).join(': ') || faultstring),
      },
    );
  }
  if (lrsCode) {
    const entry = explainCode(lrsCode);
    return new LrsError(`LRS fault ${lrsCode}: ${entry.meaning}`, {
      code: lrsCode,
      codeSource: 'lrs',
      class: entry.class,
      retryable: isRetryable(entry),
      operation,
      httpStatus,
      description: redactFaultText(description ?? faultstring),
      furtherDetails: redactFaultText(furtherDetails ?? decodeErrorDetail(childText(domain, 'ErrorDetail'))),
    });
  }
  // A fault about the request itself (unknown action, contract mismatch) will fail the same way again;
  // anything else without an LRS code is the server failing (WCF InternalServiceFault) and worth a retry.
  if (!/ActionNotSupported|ContractFilterMismatch|Client$/i.test(faultcode)) {
    return relayError(
      RELAY_CODES.LRS_INTERNAL_ERROR,
      `the LRS reported an internal error (${faultcode || 'no faultcode'})`,
      {
        operation,
        httpStatus,
        description: redactFaultText(faultstring),
      },
    );
  }
  const what = /ActionNotSupported/i.test(faultcode)
    ? 'the LRS did not recognise the SOAP action'
    : 'SOAP fault without an LRS error code';
  return relayError(RELAY_CODES.SOAP_FAULT, `${what} (${faultcode || 'no faultcode'})`, {
    operation,
    httpStatus,
    description: redactFaultText(faultstring),
  });
}

/**
 * Checks an HTTP answer and returns its SOAP body, or throws the LrsError it amounts to.
 * `expectedRoots` are the response root local names the operation may answer with (empty = any).
 */
export function readLrsAnswer(
  a: HttpAnswer,
  operation?: string,
  expectedRoots: readonly string[] = [],
): SoapBody {
  const o = { operation, httpStatus: a.status };
  // An HTML page may start with <!DOCTYPE html>; any other DOCTYPE or entity declaration is hostile or broken.
  // One scan of the body on the normal path; the finer checks run only when DTD markup is present.
  const doctype = hasDoctype(a.body);
  if (doctype && (/<!ENTITY/i.test(a.body) || !/<!DOCTYPE\s+html[\s>]/i.test(a.body))) {
    throw relayError(
      RELAY_CODES.MALFORMED_RESPONSE,
      'response refused: it declares a DOCTYPE or entities (never expanded)',
      o,
    );
  }
  let soap: SoapBody | undefined;
  try {
    soap = doctype ? undefined : readSoapBody(a.body, { maxNodes: MAX_RESPONSE_NODES });
  } catch (e) {
    if (!isXmlError(e)) throw e;
    throw relayError(RELAY_CODES.MALFORMED_RESPONSE, `response refused: ${e.reason}`, { ...o, cause: e });
  }
  if (!soap) {
    if (a.status === 405 || looksLikeMaintenancePage(a.body)) {
      throw relayError(RELAY_CODES.LRS_MAINTENANCE, `LRS maintenance page (HTTP ${a.status})`, o);
    }
    if (a.status >= 400 && a.body.trim() === '')
      throw relayError(RELAY_CODES.HTTP_ERROR, `HTTP ${a.status} with an empty body`, o);
    throw relayError(
      RELAY_CODES.NON_SOAP_RESPONSE,
      `HTTP ${a.status} answer is not SOAP (${a.contentType ?? 'no content type'})`,
      o,
    );
  }
  if (soap.fault) throw faultToError(soap.fault, operation, a.status);
  if (a.status === 405)
    throw relayError(RELAY_CODES.LRS_MAINTENANCE, 'LRS maintenance: HTTP 405 with a SOAP body', o);
  if (a.status >= 400)
    throw relayError(RELAY_CODES.HTTP_ERROR, `HTTP ${a.status} with a SOAP body that is not a fault`, o);
  if (expectedRoots.length > 0 && !expectedRoots.includes(soap.rootName)) {
    throw relayError(RELAY_CODES.MALFORMED_RESPONSE, `unexpected response element ${soap.rootName}`, o);
  }
  return soap;
}
