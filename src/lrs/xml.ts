/**
 * Reading LRS XML safely and by local name. Prefixes differ between captures (`ns2:`, `a:`, none),
 * so every lookup is by local name. Hostile XML: any DOCTYPE is refused before parsing, and entity
 * processing is off, so no external or internal entity is ever expanded; we decode only the five
 * predefined XML entities and character references ourselves.
 */
import { XMLParser } from 'fast-xml-parser';

/** One element as fast-xml-parser gives it with our options: children by local name (always arrays). */
export type XNode = { [key: string]: unknown };

const TEXT = '#text';

/** Creates a parser with the only options we trust (see file comment). Cheap; call once per client. */
export function createXmlParser(): XMLParser {
  return new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    processEntities: false,
    htmlEntities: false,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    alwaysCreateTextNode: true,
    textNodeName: TEXT,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Every element is a list so "one candidate" and "many candidates" read the same way.
    isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  });
}

/** True when the body declares a DOCTYPE (or an entity): we never parse those. */
export function hasDoctype(body: string): boolean {
  return /<!DOCTYPE|<!ENTITY/i.test(body);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? '';
  });
}

function isNode(v: unknown): v is XNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** All child elements with this local name (in document order). */
export function children(node: XNode | undefined, name: string): XNode[] {
  const v = node?.[name];
  return Array.isArray(v) ? v.filter(isNode) : [];
}

/** The first child element with this local name. */
export function child(node: XNode | undefined, name: string): XNode | undefined {
  return children(node, name)[0];
}

/** True when the element carries `xsi:nil="true"` (any prefix). */
export function isNil(node: XNode): boolean {
  const nil = node['@nil'];
  return nil === 'true' || nil === '1';
}

/** Text of an element: undefined when nil or empty; otherwise exactly as sent (trailing spaces kept). */
export function text(node: XNode | undefined): string | undefined {
  if (!node || isNil(node)) return undefined;
  const t = node[TEXT];
  if (typeof t !== 'string' || t === '') return undefined;
  return decodeEntities(t);
}

/** Text of the first child with this local name. */
export function childText(node: XNode | undefined, name: string): string | undefined {
  return text(child(node, name));
}

/** Whole number from a child element; undefined when absent, empty or not a number. */
export function childNumber(node: XNode | undefined, name: string): number | undefined {
  const t = childText(node, name)?.trim();
  if (t === undefined || t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Local names of an element's child elements, in first-appearance order. */
export function childNames(node: XNode): string[] {
  return Object.keys(node).filter((k) => k !== TEXT && !k.startsWith('@'));
}

export interface SoapBody {
  /** Local name of the first element inside soap:Body. */
  rootName: string;
  root: XNode;
  /** The soap:Fault element when the body is a fault. */
  fault?: XNode | undefined;
}

/** Parses a SOAP envelope; undefined when the text is not a SOAP envelope (HTML, JSON, empty…). */
export function readSoapBody(parser: XMLParser, body: string): SoapBody | undefined {
  if (!/<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(body)) return undefined;
  let doc: XNode;
  try {
    doc = parser.parse(body) as XNode;
  } catch {
    return undefined;
  }
  const soapBody = child(child(doc, 'Envelope'), 'Body');
  if (!soapBody) return undefined;
  const rootName = childNames(soapBody)[0];
  if (rootName === undefined) return undefined;
  const root = child(soapBody, rootName);
  if (!root) return undefined;
  return { rootName, root, fault: rootName === 'Fault' ? root : undefined };
}
