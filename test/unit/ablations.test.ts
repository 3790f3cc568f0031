/**
 * The ablation suite's entries still fit the tree (test/ablations/README.md): each entry's edits find
 * their text exactly as often as they say and leave parsable code, and each named test still exists.
 * Cheap, so a refactor that moves switched-off code or renames a test is noticed in `npm test`;
 * `npm run ablate` then proves each entry is caught.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../ablations/apply.ts';
import { loadAblations } from '../ablations/catalogue.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (f: string) => (existsSync(join(ROOT, f)) ? readFileSync(join(ROOT, f), 'utf8') : undefined);
const entries = await loadAblations();

/**
 * The name appears in the file as written, or ends with a title that does (the describe titles before
 * it may be built, as `describe.each`'s are), or is a row name and a title built by `it.each`, or
 * matches an `it.each` title whose placeholders stand for values written in the file.
 */
function namesATest(text: string, name: string): boolean {
  if (text.includes(name)) return true;
  for (let i = name.indexOf(' '); i !== -1; i = name.indexOf(' ', i + 1)) {
    const title = name.slice(i + 1);
    if (['"', "'", '`'].some((q) => text.includes(`${q}${title}${q}`))) return true;
    // it.each's '%s: …' titles: the row's name and the rest of the title both appear.
    if (text.includes(name.slice(0, i)) && text.includes(title)) return true;
  }
  // it.each's titles with several placeholders ('%s is catalogued as %s with …'): a title of the file
  // whose %s, %i and %d stand for values that appear in the file.
  for (const m of text.matchAll(/(['"`])([^'"`\n]*%[sdi][^'"`\n]*)\1/g)) {
    const parts = (m[2] ?? '').split(/%[sdi]/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const got = new RegExp(`(?:^|.* )${parts.join('(.+?)')}$`).exec(name);
    if (got && got.slice(1).every((v) => text.includes(v))) return true;
  }
  return false;
}

describe('ablation entries', () => {
  it('there are entries, each named once', () => {
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
  });

  it.each(entries.map((e) => [e.name, e] as const))(
    '%s: its edits apply and leave code that parses',
    (_, e) => {
      const applied = applyEdits(e.edits, read);
      expect(applied.ok ? [] : applied.problems).toEqual([]);
      if (!applied.ok) return;
      for (const [file, text] of applied.files) {
        if (!/\.(ts|mts|cts)$/.test(file)) continue;
        const out = ts.transpileModule(text, { fileName: file, reportDiagnostics: true });
        const errors = (out.diagnostics ?? []).map((d) =>
          ts.flattenDiagnosticMessageText(d.messageText, ' '),
        );
        expect(errors, file).toEqual([]);
      }
    },
  );

  it.each(entries.map((e) => [e.name, e] as const))('%s: every test it names exists', (_, e) => {
    for (const t of e.tests) {
      const text = read(t.file);
      expect(text, `${t.file} (named by ${e.name})`).toBeDefined();
      expect(namesATest(text ?? '', t.name), `${t.file} has no test named "${t.name}"`).toBe(true);
    }
  });
});
