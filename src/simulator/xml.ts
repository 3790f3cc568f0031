/**
 * XML in and out for the simulator: a namespace-resolving tree over our own parser (src/xml/parse.ts, which
 * keeps prefixes but never checks namespaces itself), and escaping for the string templates responses are
 * built from.
 */
import { NS } from '../lrs/messages.ts';
import { parseXml, type XmlElement } from '../xml/parse.ts';
import { isXmlError } from '../xml/xml-error.ts';

/** The namespace table is the LRS client's (one owner); re-exported for the simulator's modules. */
export { NS };

/** One element with its namespace resolved. `text` is the concatenated character data of the element itself. */
export interface XmlNode {
  ns: string;
  name: string;
  children: XmlNode[];
  text: string;
  /** xsi:nil="true" */
  nil: boolean;
}

export type ParseOutcome =
  { ok: true; root: XmlNode } | { ok: false; reason: 'doctype' | 'malformed' | 'size'; message: string };

/** What a hardened WCF endpoint (DtdProcessing.Prohibit) answers to any DTD. */
const DTD_PROHIBITED = 'DTD is prohibited in this XML document.';
const BASE_SCOPE: ReadonlyMap<string, string> = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);

/** An element prefix with no declaration in scope: not namespace-well-formed, answered like malformed XML. */
class UndeclaredPrefix extends Error {
  override readonly name = 'UndeclaredPrefix';
}

/** Creates the reader: never expands an entity (any DTD is refused), refuses undeclared element prefixes. */
export function createXmlReader(): (xml: string) => ParseOutcome {
  return (xml) => {
    try {
      return { ok: true, root: toNode(parseXml(xml), BASE_SCOPE) };
    } catch (e) {
      if (isXmlError(e) && e.kind === 'doctype')
        return { ok: false, reason: 'doctype', message: DTD_PROHIBITED };
      // Over the node budget: answered 413, like a body over the byte cap.
      if (isXmlError(e) && e.kind === 'size') return { ok: false, reason: 'size', message: e.message };
      // Limits (depth, attribute count) read as malformed: the caller gets the same 400 naming the problem.
      if (isXmlError(e)) return { ok: false, reason: 'malformed', message: e.message };
      if (e instanceof UndeclaredPrefix) return { ok: false, reason: 'malformed', message: e.message };
      throw e;
    }
  };
}

/** Recursion is bounded by the parser's depth limit. */
function toNode(el: XmlElement, parentScope: ReadonlyMap<string, string>): XmlNode {
  let declared: Map<string, string> | undefined;
  for (const a of el.attributes) {
    if (a.qname === 'xmlns' || a.prefix === 'xmlns') {
      declared ??= new Map(parentScope);
      declared.set(a.prefix === '' ? '' : a.name, a.value);
    }
  }
  const scope = declared ?? parentScope;
  const ns = scope.get(el.prefix);
  if (ns === undefined && el.prefix !== '')
    throw new UndeclaredPrefix(`The namespace prefix '${el.prefix}' is not defined.`);
  let nil = false;
  for (const a of el.attributes) {
    if (a.name === 'nil' && a.prefix !== '' && scope.get(a.prefix) === NS.xsi)
      nil = a.value === 'true' || a.value === '1';
  }
  const children: XmlNode[] = [];
  for (const c of el.children) children.push(toNode(c, scope));
  return { ns: ns ?? '', name: el.name, children, text: el.text, nil };
}

/** The first child with this local name (and namespace, when given). */
export function childOf(node: XmlNode, name: string, ns?: string): XmlNode | undefined {
  for (const c of node.children) if (c.name === name && (ns === undefined || c.ns === ns)) return c;
  return undefined;
}

/** Text of a child, '' when absent or nil. */
export function textOf(node: XmlNode, name: string, ns?: string): string {
  const c = childOf(node, name, ns);
  return c === undefined || c.nil ? '' : c.text;
}

/**
 * A copy of `s` that shares no memory with the request it came from. Parsed values are slices of the request
 * body, and a stored slice (a registered learner's name, a batch's output) would keep the whole body alive.
 */
export function detach(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

const SPECIAL = /[&<>"]/;

/** Escapes text and attribute values for the response templates. */
export function escapeXml(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<name>value</name>`, or nothing when the value is undefined (optional fields are absent, as on the real service). */
export function el(name: string, value: string | number | undefined): string {
  if (value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Like `el`, but an empty string becomes `<name/>` rather than being dropped. */
export function elKeepEmpty(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  return value === '' ? `<${name}/>` : `<${name}>${escapeXml(value)}</${name}>`;
}

/** SOAP 1.1 envelope as the Java LearnerService writes it (prefix soapenv). */
export function miapEnvelope(body: string): string {
  return `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** SOAP 1.1 envelope as WCF writes it (prefix s). */
export function wcfEnvelope(body: string): string {
  return `<s:Envelope xmlns:s="${NS.soapenv}"><s:Body>${body}</s:Body></s:Envelope>`;
}

/** `yyyy-MM-dd HH:mm:ss` in UTC (the LRS has dropped milliseconds since release 1902.01). */
export function formatMiapDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `yyyy-MM-ddTHH:mm:ss` as WCF serialises xs:dateTime without a zone. */
export function formatWcfDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
