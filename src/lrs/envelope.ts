/**
 * Builds SOAP 1.1 request envelopes from a message description (messages.ts) and a wire object.
 * Hand-built strings: element order comes from the description, never from object key order,
 * and unqualified children get no namespace (the root uses a prefix, so no default namespace is in scope).
 */
import { FORBIDDEN_CHAR } from '../xml/chars.ts';
import { NS, type FieldSpec, type MessageSpec, type WireObject, type WireValue } from './messages.ts';

/** Characters XML 1.0 cannot carry at all (our parser's own table); removed rather than sent as an unparseable message. */
const INVALID_XML_CHARS = new RegExp(FORBIDDEN_CHAR.source, 'g');
/** Anything escapeXmlText changes; most values (names, ULNs, dates) have none, and are returned after one scan. */
const NEEDS_ESCAPING = new RegExp(`[&<>\\r]|${FORBIDDEN_CHAR.source}`);

/** Escapes text for element content. `\r` is sent as a reference so a parser does not normalise it away. */
function escapeXmlText(s: string): string {
  if (!NEEDS_ESCAPING.test(s)) return s;
  return s
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function collectNamespaces(fields: readonly FieldSpec[], into: Set<string>): void {
  for (const f of fields) {
    if (f.ns !== '') into.add(f.ns);
    if (f.children) collectNamespaces(f.children, into);
  }
}

/** Prefix per namespace for one message: `m` for the root's, then `a`, `b`, … in order of first use. */
function prefixesFor(spec: MessageSpec): Map<string, string> {
  const all = new Set<string>();
  collectNamespaces(spec.fields, all);
  const map = new Map<string, string>([[spec.root.ns, 'm']]);
  let i = 0;
  for (const ns of all) if (!map.has(ns)) map.set(ns, String.fromCharCode(97 + i++));
  return map;
}

function writeFields(
  fields: readonly FieldSpec[],
  obj: WireObject,
  prefixes: Map<string, string>,
  out: string[],
): void {
  for (const f of fields) {
    const raw = obj[f.name];
    if (raw === undefined) continue;
    const items: WireValue[] = Array.isArray(raw) ? raw : [raw];
    const qname = f.ns === '' ? f.name : `${prefixes.get(f.ns) ?? ''}:${f.name}`;
    for (const item of items) {
      if (item === undefined) continue;
      if (item === null) {
        out.push(`<${qname} xsi:nil="true"/>`);
      } else if (typeof item === 'string') {
        out.push(item === '' ? `<${qname}/>` : `<${qname}>${escapeXmlText(item)}</${qname}>`);
      } else if (!Array.isArray(item) && f.children) {
        out.push(`<${qname}>`);
        writeFields(f.children, item, prefixes, out);
        out.push(`</${qname}>`);
      }
    }
  }
}

/**
 * The full SOAP envelope for one request. Assumes the value was validated (validateMessage):
 * elements with no description are not sent, whatever the object holds.
 */
export function buildEnvelope(spec: MessageSpec, value: WireObject): string {
  const frame = frameFor(spec);
  const out: string[] = [frame.open];
  writeFields(spec.fields, value, frame.prefixes, out);
  out.push(frame.close);
  return out.join('');
}

interface Frame {
  prefixes: Map<string, string>;
  /** Everything up to and including the root start tag. */
  open: string;
  close: string;
}

/** The parts of an envelope that depend only on the message description: worked out once per spec, not per call. */
const FRAMES = new WeakMap<MessageSpec, Frame>();

function frameFor(spec: MessageSpec): Frame {
  let frame = FRAMES.get(spec);
  if (!frame) {
    const prefixes = prefixesFor(spec);
    const decls = [...prefixes].map(([ns, p]) => ` xmlns:${p}="${ns}"`).join('');
    frame = {
      prefixes,
      open: `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soapenv}" xmlns:xsi="${NS.xsi}"><s:Body><m:${spec.root.name}${decls}>`,
      close: `</m:${spec.root.name}></s:Body></s:Envelope>`,
    };
    FRAMES.set(spec, frame);
  }
  return frame;
}

/** HTTP headers for one request: `SOAPAction` quoted as SOAP 1.1 requires (`""` when empty). */
export function buildHeaders(spec: MessageSpec): Record<string, string> {
  return { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${spec.soapAction}"` };
}
