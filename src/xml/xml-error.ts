/** Why a document was refused: DTD markup, a well-formedness error, a structural limit or its size. */
export const XML_ERROR_KINDS = {
  /** `<!DOCTYPE`, `<!ENTITY` or other DTD markup: refused outright, so no entity is ever expanded. */
  DOCTYPE: 'doctype',
  /** Not well-formed XML (or a name that breaks the namespaces rules: two colons, empty prefix). */
  MALFORMED: 'malformed',
  /** Nesting deeper, or more attributes on one element, than the parser's limits allow. */
  LIMIT: 'limit',
  /** More nodes in the document than its budget (`maxNodes`): refused for its size, to bound memory. */
  SIZE: 'size',
} as const;
export type XmlErrorKind = (typeof XML_ERROR_KINDS)[keyof typeof XML_ERROR_KINDS];

/** A refused document: the kind, the problem in words and where it is (1-based line and column). */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  readonly kind: XmlErrorKind;
  /** The problem without its position, e.g. `Closing tag 'a' does not match opening tag 'b'.` */
  readonly reason: string;
  readonly line: number;
  readonly column: number;

  constructor(kind: XmlErrorKind, reason: string, line: number, column: number) {
    super(`${reason} (line ${line}, column ${column})`);
    this.kind = kind;
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

export function isXmlError(e: unknown): e is XmlError {
  return e instanceof XmlError;
}
