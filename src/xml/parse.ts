/**
 * One small, strict XML parser for the subset SOAP uses, shared by the LRS client and the simulator.
 *
 * Why our own: CPU per SOAP call is what limits the pipeline. With fast-xml-parser the client took about
 * 150 µs to read a 1.7 KB find response, and the simulator 40-50 µs to read a 0.6 KB find request (its
 * validator ran as a second full pass); on the same machine this parser takes about 11 µs and 4 µs,
 * checks included (`npm run bench -- xml`, Node 20, 2 cores).
 *
 * Accepted: elements, attributes in either quote, character data, CDATA sections (as text), the five
 * predefined entities and character references, comments and processing instructions (skipped; the XML
 * declaration only at the very start), a leading byte-order mark. Line ends are normalised to \n as XML
 * requires (a `&#13;` reference survives, which is why the client sends one for \r).
 * Refused, with an XmlError of a stable kind: any DTD markup (`<!DOCTYPE`, `<!ENTITY`, …; 'doctype': no
 * entity is ever expanded), anything not well-formed ('malformed': including characters XML 1.0 forbids
 * and names with two colons), nesting deeper than `maxDepth`, more than `maxAttributes` on one element
 * ('limit'), more than `maxNodes` nodes in the whole document ('size').
 *
 * Memory: a parsed node costs far more than the bytes that wrote it (`<a/>` is 4 bytes, its element about
 * 200), so 3.5 million empty elements in a 14 MB body once took a process from 85 MB to 957 MB. The node
 * budget bounds that: elements, attributes and text pieces together, refused as soon as the count passes
 * it, so the tree never exceeds about `maxNodes` × 250 bytes whatever the body. Text is bounded by the
 * document itself (decoded text is never longer than its source), depth by `maxDepth`.
 * Namespaces are the caller's business: names keep their prefix, split into prefix and local name.
 *
 * No recursion (an explicit stack), no backtracking regular expressions (indexOf and charCodeAt scans),
 * and values are slices of the input: a caller keeping one long-term should copy it.
 */
import {
  FORBIDDEN_CHAR,
  isNameChar,
  isNameStart,
  isSpace,
  isXmlChar,
  normalise,
  parseDigits,
  skipSpace,
} from './chars.ts';
import { XML_ERROR_KINDS, XmlError, type XmlErrorKind } from './xml-error.ts';

export interface XmlAttribute {
  /** The name as written: `prefix:name` or `name`. */
  readonly qname: string;
  /** '' when the name has no prefix. */
  readonly prefix: string;
  readonly name: string;
  /** References decoded, white space normalised as XML requires for attribute values. */
  readonly value: string;
}

export interface XmlElement {
  /** The name as written: `prefix:name` or `name`. */
  readonly qname: string;
  /** '' when the name has no prefix. */
  readonly prefix: string;
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA, not its children's), references decoded. */
  readonly text: string;
}

export interface XmlLimits {
  /** Deepest element nesting accepted (default 128; a SOAP envelope needs about 10). */
  maxDepth?: number;
  /** Most attributes accepted on one element, namespace declarations included (default 64). */
  maxAttributes?: number;
  /**
   * Most nodes accepted in the whole document: elements, attributes (namespace declarations included) and
   * pieces of text or CDATA together (default 500,000: the largest legal LRS document, an achievement batch
   * of 10,000, has about 340,000; `npm run bench -- xml-sizes`).
   */
  maxNodes?: number;
}

export const DEFAULT_XML_LIMITS = { maxDepth: 128, maxAttributes: 64, maxNodes: 500_000 } as const;

type MutableElement = {
  qname: string;
  prefix: string;
  name: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  text: string;
};

const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOS = 0x27;
const HASH = 0x23;
const SEMICOLON = 0x3b;

/** Longest text between `&` and `;` we look at (`#x0010FFFF` is 10; leading zeros are legal). */
const MAX_REFERENCE = 32;
const DTD_KEYWORDS = new Set(['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION']);
const NO_ATTRIBUTES: XmlAttribute[] = [];

/**
 * Parses a whole document and returns its root element.
 * @throws XmlError when the document is refused (see the file comment for what is accepted).
 */
export function parseXml(xml: string, limits: XmlLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth;
  const maxAttributes = limits.maxAttributes ?? DEFAULT_XML_LIMITS.maxAttributes;
  const maxNodes = limits.maxNodes ?? DEFAULT_XML_LIMITS.maxNodes;
  return new Parser(xml, maxDepth, maxAttributes, maxNodes).document();
}

/**
 * How many nodes (elements, attributes, text pieces) a document holds, as the `maxNodes` budget counts them.
 * For benchmarks and sizing; it builds the whole tree.
 * @throws XmlError when the document is refused.
 */
export function countXmlNodes(xml: string): number {
  const parser = new Parser(xml, DEFAULT_XML_LIMITS.maxDepth, DEFAULT_XML_LIMITS.maxAttributes, Infinity);
  parser.document();
  return parser.nodes;
}

/** The state of one parse: the input, the open elements and the root once seen. */
class Parser {
  private readonly open: MutableElement[] = [];
  /** Where each open element's start tag begins, for messages about it. */
  private readonly openedAt: number[] = [];
  private root: MutableElement | undefined;
  /** Elements, attributes and text pieces so far (the `maxNodes` budget). */
  nodes = 0;

  constructor(
    private readonly xml: string,
    private readonly maxDepth: number,
    private readonly maxAttributes: number,
    private readonly maxNodes: number,
  ) {}

  /** Counts one node; refuses the document once the budget is spent. */
  private count(at: number): void {
    if (++this.nodes > this.maxNodes) {
      throw this.error(
        at,
        `The document has more than ${this.maxNodes} nodes (elements, attributes and text pieces).`,
        XML_ERROR_KINDS.SIZE,
      );
    }
  }

  document(): XmlElement {
    const { xml } = this;
    const forbidden = FORBIDDEN_CHAR.exec(xml);
    if (forbidden) {
      const code = xml.charCodeAt(forbidden.index).toString(16).toUpperCase().padStart(4, '0');
      throw this.error(forbidden.index, `Character U+${code} is not allowed in XML.`);
    }
    const start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
    let pos = start;
    while (pos < xml.length) {
      const lt = xml.indexOf('<', pos);
      const end = lt < 0 ? xml.length : lt;
      if (end > pos) this.characters(pos, end);
      if (lt < 0) break;
      const c = xml.charCodeAt(lt + 1);
      if (c === SLASH) pos = this.endTag(lt);
      else if (c === BANG) pos = this.markupDeclaration(lt);
      else if (c === QUESTION) pos = this.instruction(lt, start);
      else pos = this.startTag(lt);
    }
    const unclosed = this.open[this.open.length - 1];
    if (unclosed) {
      throw this.error(
        xml.length,
        `Element '${unclosed.qname}' ${this.opened(this.openedAt.pop())} is not closed.`,
      );
    }
    if (!this.root) throw this.error(xml.length, 'Root element is missing.');
    return this.root;
  }

  private characters(start: number, end: number): void {
    const { xml } = this;
    const top = this.open[this.open.length - 1];
    if (top === undefined) {
      for (let i = start; i < end; i++) {
        if (!isSpace(xml.charCodeAt(i))) {
          throw this.error(i, this.root ? 'Text after the root element.' : 'Text before the root element.');
        }
      }
      return;
    }
    this.count(start);
    const raw = xml.slice(start, end);
    const cdataEnd = raw.indexOf(']]>');
    if (cdataEnd >= 0) throw this.error(start + cdataEnd, "']]>' is not allowed in text.");
    top.text += this.decode(raw, start, false);
  }

  private startTag(lt: number): number {
    const { xml } = this;
    if (this.open.length >= this.maxDepth) {
      throw this.error(lt, `Elements are nested deeper than ${this.maxDepth} levels.`, XML_ERROR_KINDS.LIMIT);
    }
    this.count(lt);
    const nameEnd = this.nameEnd(lt + 1, 'element');
    const qname = xml.slice(lt + 1, nameEnd);
    const colon = this.colonOf(qname, lt + 1);
    const el: MutableElement = {
      qname,
      prefix: colon < 0 ? '' : qname.slice(0, colon),
      name: colon < 0 ? qname : qname.slice(colon + 1),
      attributes: NO_ATTRIBUTES,
      children: [],
      text: '',
    };
    const parent = this.open[this.open.length - 1];
    if (parent) parent.children.push(el);
    else if (this.root) throw this.error(lt, `Only one root element is allowed; '${qname}' is a second one.`);
    else this.root = el;

    let i = nameEnd;
    for (;;) {
      const before = i;
      i = skipSpace(xml, i);
      const c = xml.charCodeAt(i);
      if (c === GT) {
        this.open.push(el);
        this.openedAt.push(lt);
        return i + 1;
      }
      if (c === SLASH && xml.charCodeAt(i + 1) === GT) return i + 2;
      if (i >= xml.length) throw this.error(lt, `Start tag '${qname}' is not terminated.`);
      if (!isNameStart(c)) throw this.error(i, `Unexpected character '${xml[i]}' in start tag '${qname}'.`);
      if (i === before) throw this.error(i, `Attributes of '${qname}' must be separated by white space.`);
      i = this.attribute(el, i);
    }
  }

  private attribute(el: MutableElement, start: number): number {
    const { xml } = this;
    this.count(start);
    const nameEnd = this.nameEnd(start, 'attribute');
    const qname = xml.slice(start, nameEnd);
    const colon = this.colonOf(qname, start);
    let i = skipSpace(xml, nameEnd);
    if (xml.charCodeAt(i) !== EQUALS) throw this.error(i, `Attribute '${qname}' has no value.`);
    i = skipSpace(xml, i + 1);
    const quote = xml.charCodeAt(i);
    if (quote !== QUOTE && quote !== APOS)
      throw this.error(i, `The value of attribute '${qname}' must be quoted.`);
    const close = xml.indexOf(quote === QUOTE ? '"' : "'", i + 1);
    if (close < 0) throw this.error(i, `The value of attribute '${qname}' is not terminated.`);
    const raw = xml.slice(i + 1, close);
    const lt = raw.indexOf('<');
    if (lt >= 0) throw this.error(i + 1 + lt, `'<' is not allowed in the value of attribute '${qname}'.`);
    if (el.attributes === NO_ATTRIBUTES) {
      el.attributes = [];
    } else {
      // A linear check is enough: maxAttributes bounds the work per element.
      for (const a of el.attributes)
        if (a.qname === qname) throw this.error(start, `Attribute '${qname}' is repeated.`);
      if (el.attributes.length >= this.maxAttributes) {
        throw this.error(
          start,
          `Element '${el.qname}' has more than ${this.maxAttributes} attributes.`,
          XML_ERROR_KINDS.LIMIT,
        );
      }
    }
    el.attributes.push({
      qname,
      prefix: colon < 0 ? '' : qname.slice(0, colon),
      name: colon < 0 ? qname : qname.slice(colon + 1),
      value: this.decode(raw, i + 1, true),
    });
    return close + 1;
  }

  private endTag(lt: number): number {
    const { xml } = this;
    const start = lt + 2;
    const nameEnd = this.nameEnd(start, 'closing tag');
    const top = this.open.pop();
    const openedAt = this.openedAt.pop();
    if (top === undefined)
      throw this.error(lt, `Closing tag '${xml.slice(start, nameEnd)}' has no opening tag.`);
    if (nameEnd - start !== top.qname.length || !xml.startsWith(top.qname, start)) {
      const found = xml.slice(start, nameEnd);
      throw this.error(
        lt,
        `Closing tag '${found}' does not match opening tag '${top.qname}' ${this.opened(openedAt)}.`,
      );
    }
    const gt = skipSpace(xml, nameEnd);
    if (xml.charCodeAt(gt) !== GT) throw this.error(gt, `Closing tag '${top.qname}' is not terminated.`);
    return gt + 1;
  }

  /** `<!--`, `<![CDATA[`, or DTD markup (refused). */
  private markupDeclaration(lt: number): number {
    const { xml } = this;
    if (xml.startsWith('--', lt + 2)) {
      const end = xml.indexOf('--', lt + 4);
      if (end < 0) throw this.error(lt, 'Comment is not terminated.');
      if (xml.charCodeAt(end + 2) !== GT) throw this.error(end, "'--' is not allowed inside a comment.");
      return end + 3;
    }
    if (xml.startsWith('[CDATA[', lt + 2)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) throw this.error(lt, 'CDATA section is not terminated.');
      const top = this.open[this.open.length - 1];
      if (top === undefined) throw this.error(lt, 'CDATA section outside the root element.');
      this.count(lt);
      top.text += normalise(xml.slice(lt + 9, end), false);
      return end + 3;
    }
    let i = lt + 2;
    while (i < xml.length && i - lt < 12 && isNameChar(xml.charCodeAt(i))) i++;
    const keyword = xml.slice(lt + 2, i).toUpperCase();
    if (DTD_KEYWORDS.has(keyword)) {
      throw this.error(
        lt,
        'DOCTYPE and entity declarations are refused (entities are never expanded).',
        XML_ERROR_KINDS.DOCTYPE,
      );
    }
    throw this.error(lt, `Unexpected markup '<!${xml.slice(lt + 2, i)}'.`);
  }

  /** `<?target …?>`: skipped; the XML declaration only at the start of the document. */
  private instruction(lt: number, documentStart: number): number {
    const { xml } = this;
    const nameEnd = this.nameEnd(lt + 2, 'processing instruction');
    if (nameEnd - lt === 5 && xml.slice(lt + 2, nameEnd).toLowerCase() === 'xml' && lt !== documentStart) {
      throw this.error(lt, 'The XML declaration is allowed only at the start of the document.');
    }
    const end = xml.indexOf('?>', nameEnd);
    if (end < 0) throw this.error(lt, 'Processing instruction is not terminated.');
    if (end !== nameEnd && !isSpace(xml.charCodeAt(nameEnd))) {
      throw this.error(nameEnd, 'Processing instruction target must be followed by white space.');
    }
    return end + 2;
  }

  /** End of the name starting at `i`; refuses a missing or invalid one. */
  private nameEnd(i: number, what: string): number {
    const { xml } = this;
    if (!isNameStart(xml.charCodeAt(i))) {
      throw this.error(i, i >= xml.length ? `Document ends inside a ${what}.` : `Invalid ${what} name.`);
    }
    let j = i + 1;
    while (isNameChar(xml.charCodeAt(j))) j++;
    return j;
  }

  /** Index of the prefix colon in a name (-1 when none); refuses names no namespace-aware reader accepts. */
  private colonOf(qname: string, at: number): number {
    const colon = qname.indexOf(':');
    if (colon < 0) return colon;
    if (colon === 0 || colon === qname.length - 1 || qname.indexOf(':', colon + 1) >= 0) {
      throw this.error(at, `'${qname}' is not a valid qualified name.`);
    }
    return colon;
  }

  /** Character data with references decoded; `offset` is where `raw` starts in the document. */
  private decode(raw: string, offset: number, inAttribute: boolean): string {
    let amp = raw.indexOf('&');
    if (amp < 0) return normalise(raw, inAttribute);
    let out = '';
    let from = 0;
    while (amp >= 0) {
      out += normalise(raw.slice(from, amp), inAttribute);
      let semi = amp + 1;
      while (semi < raw.length && semi - amp <= MAX_REFERENCE && raw.charCodeAt(semi) !== SEMICOLON) semi++;
      if (raw.charCodeAt(semi) !== SEMICOLON) {
        throw this.error(
          offset + amp,
          "'&' must begin an entity or character reference (a literal '&' is written &amp;).",
        );
      }
      out += this.reference(raw.slice(amp + 1, semi), offset + amp);
      from = semi + 1;
      amp = raw.indexOf('&', from);
    }
    return out + normalise(raw.slice(from), inAttribute);
  }

  /** The text of `&ref;`: one of the five predefined entities or a character reference. */
  private reference(ref: string, at: number): string {
    switch (ref) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    if (ref.charCodeAt(0) !== HASH) {
      throw this.error(
        at,
        `Entity '&${ref};' is not defined: only the five predefined entities and character references are.`,
      );
    }
    const code = ref.charCodeAt(1) === 0x78 ? parseDigits(ref.slice(2), 16) : parseDigits(ref.slice(1), 10);
    if (code < 0) throw this.error(at, `'&${ref};' is not a valid character reference.`);
    if (!isXmlChar(code)) throw this.error(at, `'&${ref};' refers to a character XML does not allow.`);
    return String.fromCodePoint(code);
  }

  /** An XmlError at `index`. */
  private error(index: number, reason: string, kind: XmlErrorKind = XML_ERROR_KINDS.MALFORMED): XmlError {
    const { line, column } = this.position(index);
    return new XmlError(kind, reason, line, column);
  }

  /** `(opened at line L, column C)` for a start tag at `index`. */
  private opened(index: number | undefined): string {
    const { line, column } = this.position(index ?? 0);
    return `(opened at line ${line}, column ${column})`;
  }

  /** 1-based line and column of `index`; counted only on the way out, never while parsing. */
  private position(index: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let nl = this.xml.indexOf('\n'); nl >= 0 && nl < index; nl = this.xml.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    return { line, column: index - lineStart + 1 };
  }
}
