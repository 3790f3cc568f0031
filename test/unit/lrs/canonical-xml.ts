/**
 * Test helper: an XML document as a namespace-resolved tree ({ns}local names, order kept, nil marked,
 * whitespace-only text between elements dropped) so requests can be compared structurally, whatever prefixes.
 */
import { XMLParser } from 'fast-xml-parser';

export interface CNode {
  name: string;
  text?: string;
  nil?: true;
  children: CNode[];
}

type Raw = Record<string, unknown>;
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  processEntities: true,
  htmlEntities: false,
});

function convert(raw: Raw, scope: Map<string, string>): CNode | undefined {
  const tag = Object.keys(raw).find((k) => k !== ':@');
  if (!tag || tag === '#text') return undefined;
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  const local = new Map(scope);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'xmlns') local.set('', v);
    else if (k.startsWith('xmlns:')) local.set(k.slice(6), v);
  }
  const [prefix, name] = tag.includes(':') ? (tag.split(':') as [string, string]) : ['', tag];
  const node: CNode = { name: `{${local.get(prefix) ?? ''}}${name}`, children: [] };
  if (Object.entries(attrs).some(([k, v]) => k.endsWith(':nil') && v === 'true')) node.nil = true;
  let text = '';
  for (const c of (raw[tag] as Raw[]) ?? []) {
    if ('#text' in c) text += String(c['#text']);
    else {
      const child = convert(c, local);
      if (child) node.children.push(child);
    }
  }
  if (node.children.length === 0 && text !== '') node.text = text;
  if (node.children.length > 0 && text.trim() !== '') node.text = text;
  return node;
}

export function canonicalXml(xml: string): CNode {
  const doc = parser.parse(xml) as Raw[];
  for (const r of doc) {
    const n = convert(r, new Map());
    if (n) return n;
  }
  throw new Error('no root element');
}

/** The first child of soap:Body, canonicalised. */
export function canonicalBody(xml: string): CNode {
  const env = canonicalXml(xml);
  const body = env.children.find((c) => c.name.endsWith('}Body'));
  const first = body?.children[0];
  if (!first) throw new Error('no body element');
  return first;
}
