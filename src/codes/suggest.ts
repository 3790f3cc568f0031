/**
 * The catalogued code nearest to what a person typed, for `lrs-relay explain`: case and spacing ignored,
 * zero padding tolerated (`wsrc3` is WSRC0003), else the closest by edit distance within the same kind of
 * code. Nothing when no code is close enough to be a plausible slip.
 */
import { CODE_TABLE } from './table.ts';

/** Most single-character edits between what was typed and a suggestion. */
const MAX_EDITS = 2;

/** Upper case, without spaces or hyphens (`WSRC 0003`, `WSRC-0003`). */
function normalise(s: string): string {
  return s.toUpperCase().replace(/[\s-]+/g, '');
}

/** Letters and the number they lead to (`WSRC0003` → WSRC, 3), when the code has that form. */
function split(code: string): { prefix: string; number: number } | undefined {
  const m = /^([A-Z]+)(\d+)$/.exec(code);
  return m ? { prefix: m[1] ?? '', number: Number(m[2]) } : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The catalogued code `typed` most likely means, or undefined. `codes` defaults to the code table. */
export function suggestCode(
  typed: string,
  codes: readonly string[] = CODE_TABLE.map((c) => c.code),
): string | undefined {
  const t = normalise(typed);
  if (t === '' || t.length > 64) return undefined;
  const exact = codes.find((c) => c === t);
  if (exact) return exact;
  const parts = split(t);
  if (parts) {
    const padded = codes.find((c) => {
      const p = split(c);
      return p?.prefix === parts.prefix && p.number === parts.number;
    });
    if (padded) return padded;
  }
  let best: { code: string; edits: number } | undefined;
  for (const code of codes) {
    // A different kind of code (WSEC for WSRC) counts one edit more than the same kind.
    const samePrefix = parts !== undefined && split(code)?.prefix === parts.prefix;
    const edits = editDistance(t, code) + (parts && !samePrefix ? 1 : 0);
    if (edits <= MAX_EDITS && (!best || edits < best.edits)) best = { code, edits };
  }
  return best?.code;
}
