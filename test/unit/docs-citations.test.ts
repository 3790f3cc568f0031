/**
 * Code and docs cite the project's account of the LRS by section (`docs/lrs.md §4.4`). Every cited
 * section must exist as a heading there, so a renumbered or missing section cannot leave a citation
 * pointing nowhere; and nothing cites the private reconstruction the sections were once numbered from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED = ['src', 'docs', 'test', 'bench', 'db', 'wsdl', 'scripts', 'deploy', 'README.md'];
const TEXT = /\.(ts|mts|js|mjs|md|sql|wsdl|xsd|xml|ya?ml|json|sh)$/;

/** Section numbers cited as `docs/lrs.md §4.7, §4.8 and §7` (a trailing `(2)` item marker is ignored). */
export function citedSections(text: string): string[] {
  const out: string[] = [];
  const citation = /docs\/lrs\.md\s*((?:§\d+(?:\.\d+)*(?:\(\d+\))?(?:\s*(?:,|and|&|or)\s*(?=§))?)+)/g;
  for (const m of text.matchAll(citation)) {
    for (const s of (m[1] ?? '').matchAll(/§(\d+(?:\.\d+)*)/g)) out.push(s[1] ?? '');
  }
  return out;
}

/** Section numbers that docs/lrs.md has headings for (`## 4. Operations`, `### 4.4 registerSingleLearner`). */
export function headedSections(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1] ?? '');
  return out;
}

function textFiles(path: string): string[] {
  const full = join(ROOT, path);
  const st = statSync(full, { throwIfNoEntry: false });
  if (!st) return [];
  if (st.isFile()) return TEXT.test(path) && st.size < 2_000_000 ? [path] : [];
  return readdirSync(full).flatMap((name) => textFiles(join(path, name)));
}

describe('reading citations', () => {
  it('finds single citations, lists and item markers, and ignores plain links', () => {
    expect(citedSections('see docs/lrs.md §4.4.')).toEqual(['4.4']);
    expect(citedSections('(docs/lrs.md §4.7, §4.8, §4.13, §7):')).toEqual(['4.7', '4.8', '4.13', '7']);
    expect(citedSections('docs/lrs.md §5.4(2); which')).toEqual(['5.4']);
    expect(citedSections('docs/lrs.md §4.1 and §4.2')).toEqual(['4.1', '4.2']);
    expect(citedSections('[docs/lrs.md](lrs.md) and §3 of something else')).toEqual([]);
  });

  it('reads headings of both levels, and only headings', () => {
    const md = '# Title\n## 4. Operations\n### 4.13 Achievements\ntext §9.9\n## 10. Unknowns\n';
    expect([...headedSections(md)].sort()).toEqual(['10', '4', '4.13']);
  });

  it('would report a dangling citation', () => {
    const headings = headedSections('## 4. Operations\n### 4.1 learnerByULN\n');
    const dangling = citedSections('docs/lrs.md §4.1, §4.2').filter((s) => !headings.has(s));
    expect(dangling).toEqual(['4.2']);
  });
});

describe('docs/lrs.md citations in the repository', () => {
  const headings = headedSections(readFileSync(join(ROOT, 'docs/lrs.md'), 'utf8'));
  const files = SCANNED.flatMap(textFiles);

  it('has the sections the code is organised around', () => {
    for (const s of ['1.1', '2.4', '3.1', '4.3', '4.13', '5.3', '5.4', '6.1', '7.2', '8', '10', '11.2']) {
      expect(headings, `section ${s}`).toContain(s);
    }
  });

  it('every cited section exists', () => {
    const dangling: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const s of citedSections(readFileSync(join(ROOT, file), 'utf8'))) {
        count++;
        if (!headings.has(s)) dangling.push(`${relative('.', file)}: docs/lrs.md §${s}`);
      }
    }
    expect(count, 'citations found (the scan found none: is the pattern still right?)').toBeGreaterThan(50);
    expect(dangling, 'citations of sections docs/lrs.md does not have').toEqual([]);
  });

  it('nothing cites SPEC.md, which the repository does not have (cite docs/lrs.md instead)', () => {
    const offenders = files
      .filter((f) => f !== 'test/unit/docs-citations.test.ts')
      .filter((f) => /\bSPEC(\.md\b|\s+§)/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
