/**
 * "SQL statements live in src/db/" (docs/architecture.md), enforced: a file outside src/db that runs a
 * statement through pg's `.query(` must be among the exceptions below, each with its reason, and an
 * exception that no longer runs any must leave the list, so it only shrinks (a ping, `select 1`, is not
 * a statement of ours); and drizzle's query builder is imported nowhere else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Files (or folders, ending in /) outside src/db that may run statements, and why. */
const EXCEPTIONS: Record<string, string> = {
  'src/queues/postgres.ts': "the Postgres queue store's own schema (BullMQ's tables), not lrs",
  'src/demo/': "the demo's sample MIS (its own schema, triggers and listener) and its summary",
};

/** Statements run by `.query(` in a source, pings left out. */
export function statementCalls(source: string): number {
  let n = 0;
  for (const m of source.matchAll(/\.query(?:<[^>]*>)?\(\s*/g)) {
    const rest = source.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 12);
    if (!/^(['"`])select 1\1/i.test(rest)) n++;
  }
  return n;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const exceptionOf = (file: string) =>
  Object.keys(EXCEPTIONS).find((k) => (k.endsWith('/') ? file.startsWith(k) : file === k));

describe('SQL lives in src/db', () => {
  const running = sourceFiles('src')
    .filter((f) => !f.startsWith('src/db/'))
    .filter((f) => statementCalls(readFileSync(join(ROOT, f), 'utf8')) > 0);

  it('counts statements and leaves pings out', () => {
    expect(statementCalls(`await pool.query('select 1');`)).toBe(0);
    expect(statementCalls('await c.query<{ id: number }>(`select id from lrs.request`);')).toBe(1);
    expect(statementCalls(`await c.query(SQL, [1]); await pool.query({ name: 'x', text: SQL });`)).toBe(2);
  });

  it('runs statements outside src/db only in the listed exceptions', () => {
    const stray = running.filter((f) => exceptionOf(f) === undefined);
    expect(
      stray,
      'move these statements into src/db/ (one function per statement, grouped by subject), or list the file in EXCEPTIONS with its reason',
    ).toEqual([]);
  });

  it('builds drizzle queries only in src/db', () => {
    const drizzle = sourceFiles('src')
      .filter((f) => !f.startsWith('src/db/'))
      .filter((f) => /from ['"]drizzle-orm/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(drizzle, 'move these queries into src/db/').toEqual([]);
  });

  it('lists no exception that runs no statement any more', () => {
    const unused = Object.keys(EXCEPTIONS).filter((k) => !running.some((f) => exceptionOf(f) === k));
    expect(unused, 'remove these from EXCEPTIONS: their statements have moved').toEqual([]);
  });
});
