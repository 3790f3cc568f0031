/**
 * The overview's statements stay bounded however long the history grows: on months of rows (100,000
 * requests and 150,000 LRS calls over 90 days, analysed), every one reaches lrs.request and lrs.audit
 * through an index, never a scan of the whole table: open work and exceptions through their partial
 * indexes, finished requests by completed_at, the audit organisation by organisation and time. The
 * history of exceptions (lrs.exception_span: 200,000 periods closed over 90 days, and the open ones the
 * requests' trigger wrote) is read through its two partial indexes: the open periods and those closed
 * within the range, never the months before. Checked for an administrator (every organisation) and for
 * staff of one organisation, over 7 days.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectOrganisationHealth, selectOverview } from '../../src/db/support-reads.ts';
import { bucketsOf } from '../../src/support/overview.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

interface Scan {
  node: string;
  relation: string;
  index: string | null;
  cond: string;
}

function scans(plan: unknown): Scan[] {
  const out: Scan[] = [];
  const walk = (n: Record<string, unknown>) => {
    if (typeof n['Relation Name'] === 'string')
      out.push({
        node: String(n['Node Type']),
        relation: n['Relation Name'],
        index: typeof n['Index Name'] === 'string' ? n['Index Name'] : null,
        cond: String(n['Index Cond'] ?? n['Recheck Cond'] ?? ''),
      });
    for (const c of (n['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(c);
  };
  walk(plan as Record<string, unknown>);
  return out;
}

describe('overview statements on months of rows', () => {
  let db: TestDatabase;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
      select 'Org ' || i, (10000000 + i)::text, '{"kind":"env","name":"A"}', 'nightly' from generate_series(1, 3) i`);
    // In time order, as they are written: mostly succeeded, some exceptions, a few still open.
    await sql.query(`
      insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, created_at, completed_at)
      select (select min(id) from lrs.organisation) + i % 3, 'mis', 'find_by_uln', 'S' || i, '{}', st,
             case st when 'succeeded' then 'WSRC0004' when 'needs_action' then 'WSRC0003' when 'failed' then 'TIMEOUT'
                     when 'rejected' then 'LOCAL_VALIDATION' end,
             t, case when st = 'pending' then null else t end
        from generate_series(1, 100000) i,
             lateral (select now() - (((100000 - i) / 100000.0 * 90) || ' days')::interval as t) tt,
             lateral (select case when i % 200 = 0 then 'pending' when i % 200 = 1 then 'rejected' when i % 100 = 2 then 'failed'
                                  when i % 33 = 3 then 'needs_action' else 'succeeded' end as st) s`);
    await sql.query(`
      insert into lrs.audit (organisation_id, user_name, operation, code, code_source, http_status, duration_ms, attempt, created_at)
      select (select min(id) from lrs.organisation) + i % 3, 'nightly', 'learnerByULN', 'WSRC0004', 'lrs', 200, 100 + i % 900, 1,
             now() - (((150000 - i) / 150000.0 * 90) || ' days')::interval
        from generate_series(1, 150000) i`);
    // Exceptions opened and closed over 90 days (retried, resolved, cancelled), as the trigger writes them.
    // Two periods for each request (each period belongs to a request that exists: a foreign key).
    await sql.query(`
      insert into lrs.exception_span (request_id, organisation_id, status, code, opened_at, closed_at)
      select r.id, r.organisation_id, 'failed', 'TIMEOUT', t - interval '2 hours', t
        from (select id, organisation_id, row_number() over (order by id, k) as i
                from lrs.request, generate_series(0, 1) k) r,
             lateral (select now() - (((200000 - least(r.i, 200000)) / 200000.0 * 90) || ' days')::interval as t) tt
       where r.i <= 200000`);
    await sql.query('analyze lrs.exception_span');
    await sql.query('analyze lrs.request');
    await sql.query('analyze lrs.audit');
    await sql.query('analyze lrs.organisation');
  }, 120_000);
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  /** Runs the reads with EXPLAIN in front of each statement and returns every scan of every plan. */
  async function plannedScans(scope: number[] | null): Promise<{ statement: string; scan: Scan }[]> {
    const found: { statement: string; scan: Scan }[] = [];
    const explain = {
      async query(text: string, params?: unknown[]) {
        const r = await sql.query<{ 'QUERY PLAN': [{ Plan: unknown }] }>(
          `explain (format json) ${text}`,
          params,
        );
        const statement = text.replace(/\s+/g, ' ').slice(0, 90);
        for (const scan of scans(r.rows[0]!['QUERY PLAN'][0].Plan)) found.push({ statement, scan });
        return { rows: [], rowCount: 0 };
      },
    };
    await selectOverview(explain as never, scope, bucketsOf('7d', new Date()));
    await selectOrganisationHealth(explain as never, scope);
    return found;
  }

  it.each([
    ['an administrator', null],
    ['staff of one organisation', 'first'],
  ] as const)('%s reads requests and LRS calls through indexes only', async (_, which) => {
    const first = (await sql.query<{ id: number }>('select min(id)::int as id from lrs.organisation'))
      .rows[0]!.id;
    const found = await plannedScans(which === null ? null : [first]);
    const big = found.filter((f) => ['request', 'audit', 'exception_span'].includes(f.scan.relation));
    expect(big.length).toBeGreaterThan(0);
    // The exceptions' history: the open periods and the ones closed within the range, each by its index.
    expect(
      found
        .filter((f) => f.scan.relation === 'exception_span')
        .map((f) => f.scan.index)
        .sort(),
    ).toEqual(['exception_span_closed_idx', 'exception_span_open_idx']);
    // Closed periods from the range's start on only: a scan of the whole index would read 90 days.
    const closed = found.find((f) => f.scan.index === 'exception_span_closed_idx');
    expect(closed?.scan.cond).toMatch(/closed_at >=/);
    for (const { statement, scan } of big) {
      expect(scan.node, `${statement}: ${scan.relation}`).not.toBe('Seq Scan');
      // The audit's index leads with the organisation: a scan of it by time alone reads it whole.
      if (scan.relation === 'audit') expect(scan.cond, `${statement}: audit`).toContain('organisation_id');
    }
  });
});
