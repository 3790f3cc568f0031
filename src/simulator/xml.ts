/**
 * XML in and out for the simulator: a namespace-resolving tree over fast-xml-parser (which strips or keeps
 * prefixes but never checks namespaces itself), and escaping for the string templates responses are built from.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const NS = {
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  findmsg: 'http://api.lrs.miap.gov.uk/findmsg',
  regmsg: 'http://api.lrs.miap.gov.uk/regmsg',
  batchmsg: 'http://api.lrs.miap.gov.uk/batchmsg',
  vldmsg: 'http://api.lrs.miap.gov.uk/vldmsg',
  reportmsg: 'http://api.lrs.miap.gov.uk/reportmsg',
  learner: 'http://api.lrs.miap.gov.uk/learner',
  exceptions: 'http://api.lrs.miap.gov.uk/exceptions',
  tempuri: 'http://tempuri.org/',
  r10: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface',
  common: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Common',
  model: 'http://api.lrs.qcf.gov.uk/model',
  miapModel: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.MIAPModel',
  faults: 'http://api.lrs.qcf.gov.uk/faults',
  services: 'http://api.lrs.qcf.gov.uk/services',
  arrays: 'http://schemas.microsoft.com/2003/10/Serialization/Arrays',
} as const;

/** One element with its namespace resolved. `text` is the concatenated character data of the element itself. */
export interface XmlNode {
  ns: string;
  name: string;
  children: XmlNode[];
  text: string;
  /** xsi:nil="true" */
  nil: boolean;
}

export type ParseOutcome = { ok: true; root: XmlNode } | { ok: false; reason: 'doctype' | 'malformed'; message: string };

type OrderedItem = Record<string, unknown> & { ':@'?: Record<string, string> };

const DOCTYPE = /<!DOCTYPE|<!ENTITY/i;
const CHAR_REF = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

/** Creates a parser whose options never expand DTD entities (DOCTYPE is refused before parsing anyway). */
export function createXmlReader(): (xml: string) => ParseOutcome {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  return (xml) => {
    // Never resolve a DTD: refusing it outright is what a hardened WCF endpoint does (DtdProcessing.Prohibit).
    if (DOCTYPE.test(xml)) return { ok: false, reason: 'doctype', message: 'DTD is prohibited in this XML document.' };
    const valid = XMLValidator.validate(xml);
    if (valid !== true) return { ok: false, reason: 'malformed', message: `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})` };
    try {
      const items = parser.parse(xml) as OrderedItem[];
      const roots = buildChildren(items, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
      const root = roots[0];
      if (!root) return { ok: false, reason: 'malformed', message: 'Root element is missing.' };
      return { ok: true, root };
    } catch (e) {
      return { ok: false, reason: 'malformed', message: e instanceof Error ? e.message : String(e) };
    }
  };
}

function buildChildren(items: OrderedItem[], scope: Map<string, string>): XmlNode[] {
  const out: XmlNode[] = [];
  for (const item of items) {
    for (const key of Object.keys(item)) {
      if (key === ':@' || key === '#text') continue;
      out.push(buildNode(key, item[key] as OrderedItem[], item[':@'], scope));
    }
  }
  return out;
}

function buildNode(qname: string, content: OrderedItem[], attrs: Record<string, string> | undefined, parentScope: Map<string, string>): XmlNode {
  let scope = parentScope;
  if (attrs) {
    for (const a of Object.keys(attrs)) {
      if (a === 'xmlns' || a.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        scope.set(a === 'xmlns' ? '' : a.slice(6), attrs[a] ?? '');
      }
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw new Error(`The namespace prefix '${prefix}' is not defined.`);
  let nil = false;
  if (attrs) {
    for (const a of Object.keys(attrs)) {
      const c = a.indexOf(':');
      if (c > 0 && a.slice(c + 1) === 'nil' && scope.get(a.slice(0, c)) === NS.xsi) nil = attrs[a] === 'true' || attrs[a] === '1';
    }
  }
  let text = '';
  for (const item of content) {
    const t = item['#text'];
    if (t !== undefined) text += String(t);
  }
  if (text.includes('&#')) text = text.replace(CHAR_REF, (_m, ref: string) => String.fromCodePoint(ref[0] === 'x' ? parseInt(ref.slice(1), 16) : Number(ref)));
  return { ns: ns ?? '', name: colon < 0 ? qname : qname.slice(colon + 1), children: buildChildren(content, scope), text, nil };
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
