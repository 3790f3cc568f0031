/**
 * The nightly acquisition's statements must cost the same per learner at the end of a night as at its
 * start. The trap: statistics taken before tonight's backlog existed (autoanalyze waits for a tenth of the
 * table to change, so a night on a year-old table runs on yesterday's), then a hundred thousand pending
 * register requests; a check that walks the open requests then costs more with every chunk.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSERT_ACQUIRED_SQL } from '../../src/db/acquisition.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** Every scan of lrs.request in a plan: "<node type> <index>" or the node type of a table scan. */
function scans(plan: unknown): string[] {
  const out: string[] = [];
  const walk = (n: Record<string, unknown>) => {
    if (n['Relation Name'] === 'request' && String(n['Node Type']).includes('Scan'))
      out.push(
        typeof n['Index Name'] === 'string'
          ? `${n['Node Type'] as string} ${n['Index Name']}`
          : (n['Node Type'] as string),
      );
    for (const c of (n['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(c);
  };
  walk(plan as Record<string, unknown>);
  return out;
}

describe('acquisition insert plan', () => {
  let db: TestDatabase | undefined;
  let sql: pg.Client | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name) values ('Plan College', '10000009', '{"kind":"env","name":"X"}', 'plan')`,
    );
    // Earlier nights: finished registers, analysed...
    await sql.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, mis_learner_id, payload, status, completed_at)
       select 1, 'plan', 'register', 'batch', 'S' || g, '{}'::jsonb, 'succeeded', now() from generate_series(1, 20000) g`,
    );
    await sql.query('analyze lrs.request');
    // ...then tonight's backlog, with no analyze since.
    await sql.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, mis_learner_id, payload, dedupe_key)
       select 1, 'plan', 'register', 'batch', 'N' || g, '{}'::jsonb, 'acquire:tonight:N' || g from generate_series(1, 30000) g`,
    );
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  const planOf = async (text: string) => {
    if (!sql) throw new Error('no database');
    const chunk = Array.from({ length: 5000 }, (_, i) => ({ org: 1, mis: `M${i}`, payload: {} }));
    const r = await sql.query(`explain (format json) ${text}`, [JSON.stringify(chunk), 'tonight2']);
    return scans((r.rows[0] as { 'QUERY PLAN': { Plan: unknown }[] })['QUERY PLAN'][0]!.Plan);
  };

  it("looks each learner's open registers up by organisation and MIS id, never walking the backlog", async () => {
    expect(await planOf(INSERT_ACQUIRED_SQL)).toEqual(['Index Scan request_learner_idx']);
  });

  it('written the obvious way (status in the open statuses) it walks the open-request index: the trap is real', async () => {
    const obvious = INSERT_ACQUIRED_SQL.replace(
      /r\.status not in \([^)]*\)/,
      `r.status in ('pending', 'queued', 'in_progress', 'batched', 'held')`,
    ).replace(/t\.org \+ 0 between 1 and 9223372036854775807\s+and /, '');
    expect(obvious).not.toBe(INSERT_ACQUIRED_SQL);
    expect(await planOf(obvious)).toContain('Index Scan request_open_idx');
  });
});
