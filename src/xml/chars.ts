/** Character classes and small text helpers for the XML parser (parse.ts): XML 1.0 rules, ASCII tables. */

/** Raw characters XML 1.0 forbids anywhere (references are checked by isXmlChar). One class: no backtracking. */
// eslint-disable-next-line no-control-regex
export const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const LINE_END = /\r\n?/g;
const ATTRIBUTE_WHITESPACE = /\r\n?|[\t\n]/g;

const NAME_START = new Uint8Array(128);
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a;
  NAME_START[c] = letter ? 1 : 0;
  NAME_CHAR[c] = letter || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e ? 1 : 0;
}

// Outside ASCII, names are checked loosely: letters of any script pass, Latin-1 symbols (×, ÷, ©…) do not.

/** May start an element or attribute name: a letter, `_` or `:` (never a digit, `-` or `.`). */
export function isNameStart(c: number): boolean {
  return c < 128 ? NAME_START[c] === 1 : c >= 0xc0 && c !== 0xd7 && c !== 0xf7;
}

/** May continue a name: a start character, a digit, `-`, `.` or `·`. */
export function isNameChar(c: number): boolean {
  return c < 128 ? NAME_CHAR[c] === 1 : c === 0xb7 || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);
}

/** XML white space: space, tab, line feed, carriage return. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Index of the first non-white-space character at or after `i`. */
export function skipSpace(s: string, i: number): number {
  while (isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** A code point XML 1.0 allows in a document (the `Char` production). */
export function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Digits of a character reference as a number; -1 when empty, not digits, or beyond Unicode. */
export function parseDigits(s: string, radix: 10 | 16): number {
  if (s === '') return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d = c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
    if (radix === 16 && d < 0) d = c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    n = n * radix + d;
    if (n > 0x10ffff) return -1;
  }
  return n;
}

/** Literal character data with its line ends normalised (attribute values: every white space to a space). */
export function normalise(s: string, inAttribute: boolean): string {
  if (inAttribute) return s.replace(ATTRIBUTE_WHITESPACE, ' ');
  return s.indexOf('\r') < 0 ? s : s.replace(LINE_END, '\n');
}
