/**
 * Applying an entry's edits: pure text work, shared by the runner (on a scratch copy) and the unit
 * test (in memory, to notice early that a refactor moved the code an entry switches off).
 */
import type { AblationEdit } from './types.ts';

export type ApplyResult = { ok: true; files: Map<string, string> } | { ok: false; problems: string[] };

function countOccurrences(text: string, find: string): number {
  let n = 0;
  for (let i = text.indexOf(find); i !== -1; i = text.indexOf(find, i + find.length)) n++;
  return n;
}

function shorten(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/**
 * Applies the edits in order (later edits see earlier ones) to the files `read` returns (undefined:
 * no such file). Returns every changed file's new text, or every reason an edit no longer applies.
 */
export function applyEdits(edits: AblationEdit[], read: (file: string) => string | undefined): ApplyResult {
  const files = new Map<string, string>();
  const problems: string[] = [];
  for (const e of edits) {
    const text = files.get(e.file) ?? read(e.file);
    if (text === undefined) {
      problems.push(`${e.file}: no such file`);
      continue;
    }
    if (e.find === '') {
      problems.push(`${e.file}: an edit has an empty find text`);
      continue;
    }
    if (e.find === e.replace) {
      problems.push(`${e.file}: an edit replaces "${shorten(e.find)}" with itself`);
      continue;
    }
    const want = e.count ?? 1;
    const found = countOccurrences(text, e.find);
    if (found !== want) {
      problems.push(
        `${e.file}: expected ${want} occurrence(s) of "${shorten(e.find)}", found ${found}` +
          (found === 0 ? ' (the code it switches off has changed or moved: update the entry)' : ''),
      );
      continue;
    }
    files.set(e.file, text.split(e.find).join(e.replace));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, files };
}
