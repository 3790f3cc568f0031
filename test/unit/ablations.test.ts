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

/**
 * The subset `.ci/run` runs on every run (`ci: true`), as test/ablations/README.md ("Which entries run
 * where") describes it: one guard or two for each promise of the README, named there, and no more than
 * it says. Twelve entries take about 2 minutes two at a time on an idle machine (10–60 s each), which
 * with `npm test` keeps `.ci/run` within its 10 minutes; each entry more costs up to 30 s of that.
 */
describe('the CI subset of the ablation entries', () => {
  /** The README's figure: a new guard replaces one of these rather than joining them. */
  const CI_ENTRIES_MAX = 12;
  const ci = entries.filter((e) => e.ci).map((e) => e.name);
  const ablationsReadme = (read('test/ablations/README.md') ?? '').replace(/\s+/g, ' ');
  // The paragraph of the README that lists the CI subset.
  const always = /- \*\*Always, in `\.ci\/run`\*\*:(.*?)- \*\*/.exec(ablationsReadme)?.[1] ?? '';
  // The README's promises: its list of bold items ("- **Nothing lost.** …").
  const promises = [...(read('README.md') ?? '').matchAll(/^- \*\*([^*]+?)\.\*\*/gm)].map((m) => m[1] ?? '');

  it(`has at most ${CI_ENTRIES_MAX} entries`, () => {
    expect(ci.length, ci.join(', ')).toBeGreaterThan(0);
    expect(ci.length, ci.join(', ')).toBeLessThanOrEqual(CI_ENTRIES_MAX);
  });

  it('is the list test/ablations/README.md gives, entry for entry', () => {
    expect(always).not.toBe('');
    const named = [...always.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1] ?? '');
    expect([...named].sort()).toEqual([...ci].sort());
  });

  it('guards every promise of the README with at least one entry', () => {
    expect(promises.length).toBeGreaterThan(0);
    for (const promise of promises) {
      // e.g. "no duplicate learners (`find-before-register`, `register-lock`)"
      const guards = new RegExp(`${promise.toLowerCase()} \\(((?:\`[a-z0-9-]+\`(?:, )?)+)\\)`).exec(always);
      expect(
        guards,
        `test/ablations/README.md names no CI entry for the README's "${promise}"`,
      ).not.toBeNull();
      const names = [...(guards?.[1] ?? '').matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1] ?? '');
      expect(
        names.filter((n) => !ci.includes(n)),
        `"${promise}": named but not ci: true`,
      ).toEqual([]);
    }
  });
});
