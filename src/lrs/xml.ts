/**
 * Reading LRS XML safely and by local name. Prefixes differ between captures (`ns2:`, `a:`, none),
 * so every lookup is by local name. Hostile XML: our parser (src/xml/parse.ts) refuses any DOCTYPE
 * or entity declaration and never expands an entity; it decodes only the five predefined XML
 * entities and character references.
 */
import { parseXml, type XmlElement, type XmlLimits } from '../xml/parse.ts';
import { isXmlError, XML_ERROR_KINDS } from '../xml/xml-error.ts';

/** One element: its local `name`, its `children` in document order and its own `text`, references decoded. */
export type XNode = XmlElement;

/** True when the body declares a DOCTYPE (or an entity): we never parse those. */
export function hasDoctype(body: string): boolean {
  return /<!DOCTYPE|<!ENTITY/i.test(body);
}

/** All child elements with this local name (in document order). */
export function children(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** The first child element with this local name. */
export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

/** True when the element carries `xsi:nil="true"` (any prefix). */
function isNil(node: XNode): boolean {
  let nil: string | undefined;
  for (const a of node.attributes) if (a.name === 'nil' && a.prefix !== 'xmlns') nil = a.value;
  return nil === 'true' || nil === '1';
}

/** Text of an element: undefined when nil or empty; otherwise exactly as sent (trailing spaces kept). */
export function text(node: XNode | undefined): string | undefined {
  if (!node || node.text === '' || isNil(node)) return undefined;
  return node.text;
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
  const names: string[] = [];
  for (const c of node.children) if (!names.includes(c.name)) names.push(c.name);
  return names;
}

export interface SoapBody {
  /** Local name of the first element inside soap:Body. */
  rootName: string;
  root: XNode;
  /** The soap:Fault element when the body is a fault. */
  fault?: XNode | undefined;
}

/**
 * Parses a SOAP envelope; undefined when the text is not a SOAP envelope (HTML, JSON, empty, not well-formed…).
 * @throws XmlError of kind 'size' when the document has more nodes than `limits.maxNodes`: that is
 * not "some other page" but a body refused for its size, and the caller says so.
 */
export function readSoapBody(body: string, limits: XmlLimits = {}): SoapBody | undefined {
  let envelope: XNode;
  try {
    envelope = parseXml(body, limits);
  } catch (e) {
    if (isXmlError(e) && e.kind !== XML_ERROR_KINDS.SIZE) return undefined;
    throw e;
  }
  if (envelope.name !== 'Envelope') return undefined;
  const root = child(envelope, 'Body')?.children[0];
  if (!root) return undefined;
  return { rootName: root.name, root, fault: root.name === 'Fault' ? root : undefined };
}
