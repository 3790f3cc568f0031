/**
 * The worker's hot statements must find their rows through the primary key whatever the planner's
 * statistics say. The trap: statistics gathered while few requests were queued, then a burst (an import)
 * queues thousands; a `status in (...)` condition then walks every queued row on every call.
 */
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLETE_REQUESTS_SQL, START_ATTEMPTS_SQL, statusAmong } from '../../src/db/requests.ts';
import { OPEN_REQUESTS_SQL } from '../../src/db/scrape-figures.ts';
import { CLAIM_SINGLE_SQL } from '../../src/db/outbox.ts';
import { DELETE_EXPIRED_THROTTLES_SQL } from '../../src/db/staff.ts';
import { addOrganisation, explain, scansOf, useDatabase, type PlanNode } from '../helpers/plans.ts';

/** The scans of lrs.request in a plan, and every index scan (of any table). */
const scans = (plan: PlanNode) => scansOf(plan, { relation: 'request', indexesOfEveryTable: true });

/**
 * A database with one organisation and `requests` of its requests in `status`, analysed, and a client on
 * it; closed after the describe block it is called in.
 */
function planDatabase(requests: number, status: string): { sql(): pg.Client } {
  return useDatabase(async (sql) => {
    await addOrganisation(sql, 'Plan College', '10000009', 'plan');
    await sql.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status)
       select 1, 'plan', 'find_by_uln', 'S' || g, '{}'::jsonb, $2 from generate_series(1, $1::int) g`,
      [requests, status],
    );
    await sql.query('analyze lrs.request');
  });
}

describe('request-store statement plans', () => {
  // Statistics taken when every request was finished...
  const plan = planDatabase(20000, 'succeeded');
  beforeAll(async () => {
    const sql = plan.sql();
    // ...then a burst queued, held and re-opened thousands, with no analyze since.
    await sql.query(`update lrs.request set status = 'queued' where id > 10000`);
    await sql.query(`update lrs.request set status = 'pending' where id between 5001 and 10000`);
    await sql.query(`update lrs.request set status = 'held' where id between 2001 and 5000`);
  });

  const planOf = async (text: string, ids: number[]) => {
    return scans(await explain(plan.sql(), text, [ids]));
  };

  it('startAttempts reaches its rows through the primary key, not a status index', async () => {
    expect(await planOf(START_ATTEMPTS_SQL, [10001, 15000, 19999])).toEqual(['Index Scan request_pkey']);
  });

  it("the /metrics count of open requests reads the open requests' index, never every request", async () => {
    const used = scans(await explain(plan.sql(), OPEN_REQUESTS_SQL));
    expect(used.length).toBeGreaterThan(0);
    for (const scan of used) expect(scan).toMatch(/ request_open_idx$/);
  });

  it('every statusAmong() condition the batch path uses keeps the primary key', async () => {
    for (const statuses of [['pending'], ['held'], ['pending', 'held']] as const) {
      const text = `update lrs.request set updated_at = now() where id = any($1::bigint[]) and ${statusAmong(...statuses)}`;
      expect(await planOf(text, [3000, 6000, 12000]), statuses.join(',')).toEqual([
        'Index Scan request_pkey',
      ]);
      // The same condition written the obvious way walks a status index here: the trap is real.
      const obvious = `update lrs.request set updated_at = now() where id = any($1::bigint[]) and status in (${statuses.map((x) => `'${x}'`).join(', ')})`;
      expect(await planOf(obvious, [3000, 6000, 12000])).not.toEqual(['Index Scan request_pkey']);
    }
  });
});

/**
 * A pooled connection keeps the generic plan it made of a named statement, and a new college's first
 * requests are planned while lrs.request holds a few hundred rows. Those plans must still go through the
 * primary key once the table has grown: a hash join over the whole table, cheap at 500 rows, turned
 * every call into a scan of all of them (the pipeline benchmark's Postgres CPU per request was 0.5 ms with
 * those plans, 0.3 without).
 */
describe('plans kept from a small table', () => {
  const plan = planDatabase(500, 'pending');
  // What a pooled connection does after five calls of a named statement, made plain.
  beforeAll(() => plan.sql().query('set plan_cache_mode = force_generic_plan'));

  const genericPlanOf = async (name: string, text: string, type: string, value: string) => {
    const sql = plan.sql();
    await sql.query(`prepare ${name}(${type}) as ${text}`);
    try {
      return scans(await explain(sql, `execute ${name}(${value})`));
    } finally {
      await sql.query(`deallocate ${name}`);
    }
  };
  const completion = `'[{"request_id": 7, "organisation_id": 1, "requested_by": "plan", "attempt": 1, "code": "WSRC0004", "code_source": "lrs", "class": "success", "status": "succeeded", "audits": [], "events": []}]'`;

  const statements = [
    ['startAttempts', START_ATTEMPTS_SQL, 'bigint[]', `'{7, 8}'`],
    ['completeRequests', COMPLETE_REQUESTS_SQL, 'jsonb', completion],
    ['claimSingleRequests', CLAIM_SINGLE_SQL, 'int', '500'],
  ] as const;
  /** The statement without its planAsOneRow condition. */
  const unhinted = (text: string) =>
    text
      .replace(/\s+and\s+\S+ \+ 0 between 1 and 9223372036854775807/g, '')
      .replace(/\s+where\s+\S+ \+ 0 between 1 and 9223372036854775807/g, '');

  it.each(statements)('%s goes through the primary key', async (name, text, type, value) => {
    const used = await genericPlanOf(`${name}_hinted`, text, type, value);
    expect(used).toContain('Index Scan request_pkey');
    expect(used).not.toContain('Seq Scan');
  });

  it.each(statements)(
    '%s without the one-row condition scans the whole table here: the trap is real',
    async (name, text, type, value) => {
      expect(unhinted(text)).not.toContain('between');
      expect(await genericPlanOf(`${name}_plain`, unhinted(text), type, value)).toContain('Seq Scan');
    },
  );
});

/**
 * The login throttle's clean-up runs on logins and deletes the windows that have passed: a few rows
 * among every address's and account's current counters, which a busy or attacked site holds by the
 * tens of thousands. It must find them through the window index, not read every counter.
 */
describe('login throttle clean-up', () => {
  const db = useDatabase(async (sql) => {
    await sql.query(
      `insert into lrs.login_throttle (key_hash, window_start, attempts)
       select md5('current' || g), now() - random() * interval '10 minutes', 1 from generate_series(1, 20000) g
       union all
       select md5('passed' || g), now() - interval '20 minutes', 3 from generate_series(1, 40) g`,
    );
    await sql.query('analyze lrs.login_throttle');
  });

  it('deletes the passed windows through login_throttle_window_idx', async () => {
    const used = scans(await explain(db.sql(), DELETE_EXPIRED_THROTTLES_SQL, [15 * 60_000]));
    expect(
      used.some((s) => / login_throttle_window_idx$/.test(s)),
      used.join(', '),
    ).toBe(true);
    const deleted = await db.sql().query(DELETE_EXPIRED_THROTTLES_SQL, [15 * 60_000]);
    expect(deleted.rowCount).toBe(40);
  });
});
