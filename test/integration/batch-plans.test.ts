/**
 * The nightly acquisition's statements must cost the same per learner at the end of a night as at its
 * start. The trap: statistics taken before tonight's backlog existed (autoanalyze waits for a tenth of the
 * table to change, so a night on a year-old table runs on yesterday's), then a hundred thousand pending
 * register requests; a check that walks the open requests then costs more with every chunk.
 */
import { describe, expect, it } from 'vitest';
import { INSERT_ACQUIRED_SQL } from '../../src/db/acquisition.ts';
import { achievementCaps, findBatchGroups, type ClaimCursor } from '../../src/db/batch-assembly.ts';
import { loadBatchRequestIds, loadBatchRequests, startSubmitTry } from '../../src/db/batches.ts';
import { addOrganisation, explain, measuringBuffers, scansOf, useDatabase } from '../helpers/plans.ts';

describe('acquisition insert plan', () => {
  const db = useDatabase(async (sql) => {
    await addOrganisation(sql, 'Plan College', '10000009', 'plan');
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

  const planOf = async (text: string) => {
    const chunk = Array.from({ length: 5000 }, (_, i) => ({ org: 1, mis: `M${i}`, payload: {} }));
    return scansOf(await explain(db.sql(), text, [JSON.stringify(chunk), 'tonight2']), {
      relation: 'request',
    });
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

describe('assembly pass', () => {
  let claimedUpTo = 0;
  const db = useDatabase(async (sql) => {
    await addOrganisation(sql, 'Pass College', '10000008', 'pass');
    // Tonight: 20,000 register requests already claimed into batches (their pending entries are dead
    // until vacuum), then a backlog of 20,000 batch-mode and 20,000 auto-mode ones still pending.
    await sql.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, mis_learner_id, payload)
       select 1, 'pass', 'register', 'batch', 'C' || g, '{}'::jsonb from generate_series(1, 20000) g`,
    );
    claimedUpTo = Number((await sql.query(`select max(id) as id from lrs.request`)).rows[0].id);
    await sql.query(`update lrs.request set status = 'batched' where id <= $1`, [claimedUpTo]);
    await sql.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, mis_learner_id, payload)
       select 1, 'pass', 'register', case when g % 2 = 0 then 'batch' else 'auto' end, 'P' || g, '{}'::jsonb
         from generate_series(1, 40000) g`,
    );
  });

  /** Runs findBatchGroups under explain (analyze, buffers): the groups it finds and the buffers it touched. */
  const pass = async (cursors: ClaimCursor[]) => {
    const measured = measuringBuffers(db.sql());
    const groups = await findBatchGroups(measured.db, { autoThreshold: 500, cursors });
    return { groups, buffers: measured.buffers() };
  };

  it('finds the work without counting the backlog or walking what tonight already claimed', async () => {
    // Once to let the index scans mark the dead entries they meet, as earlier passes of a night have.
    await pass([]);
    const from = await pass([{ organisationId: 1, kind: 'register', afterId: claimedUpTo }]);
    expect(from.groups).toEqual([
      expect.objectContaining({ organisationId: 1, kind: 'register', autoCount: 501 }),
    ]);
    // From the cursor: a few dozen buffers (35). Walking the 20,000 claimed ones' index entries, even
    // marked dead, touches 156; counting the 40,000 pending, or reading the table, thousands.
    expect(from.buffers).toBeLessThan(80);
  });

  it('keeps to the index once the statistics have seen the backlog (the plan does not flip to reading the table)', async () => {
    // Autoanalyze during a long night: nearly every row is pending batch work, so a plan that stops at the
    // first match looks cheapest by reading the table from its start, through everything claimed before.
    await db.sql().query('analyze lrs.request');
    await pass([]);
    const from = await pass([{ organisationId: 1, kind: 'register', afterId: claimedUpTo }]);
    expect(from.groups).toEqual([
      expect.objectContaining({ organisationId: 1, kind: 'register', autoCount: 501 }),
    ]);
    expect(from.buffers).toBeLessThan(80);
  });
});

describe('achievement cap look-up', () => {
  const db = useDatabase(async (sql) => {
    await sql.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       select 'Cap College ' || g, (10000100 + g)::text, '{"kind":"env","name":"X"}', 'cap' from generate_series(1, 20) g`,
    );
    // Months of batches of twenty organisations, a few achievement batches refused as too many.
    await sql.query(
      `insert into lrs.batch (organisation_id, kind, status, requested_by, record_count, last_code)
       select 1 + g % 20, case when g % 3 = 0 then 'achievement' else 'registration' end, 'completed', 'cap',
              200, case when g % 10000 = 0 then 'WSEC0046' end
         from generate_series(1, 100000) g`,
    );
    await sql.query('analyze lrs.batch');
  });

  it("finds the organisations' caps without reading the batches kept", async () => {
    const measured = measuringBuffers(db.sql());
    const caps = await achievementCaps(measured.db);
    const buffers = measured.buffers();
    // g = 30000, 60000, 90000 are organisation 1's refused achievement batches of 200: capped at 100.
    // The other refused batches (g = 10000, 20000, …) are registrations, or another organisation's.
    expect(caps.get(1)).toBe(100);
    expect([...caps.keys()]).toEqual([1]);
    // From the partial index: a handful of buffers. Reading the 100,000 batches touches over a thousand.
    expect(buffers).toBeLessThan(50);
  });
});

describe("a batch's member look-ups", () => {
  let tonight = 0;
  const db = useDatabase(async (sql) => {
    await addOrganisation(sql, 'Member College', '10000007', 'member');
    // Earlier nights: 100 batches of 200 finished, then analysed: no request batched, no batch assembled.
    await sql.query(
      `insert into lrs.batch (organisation_id, kind, status, requested_by, record_count)
       select 1, 'registration', 'completed', 'member', 200 from generate_series(1, 100)`,
    );
    await sql.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, mis_learner_id, payload, status, completed_at, batch_id)
       select 1, 'member', 'register', 'batch', 'S' || g, '{}'::jsonb, 'succeeded', now(), 1 + (g - 1) / 200
         from generate_series(1, 20000) g`,
    );
    await sql.query('analyze lrs.request');
    await sql.query('analyze lrs.batch');
    // Tonight, not analysed since: 150 batches assembled ahead of submit, 30,000 requests batched in them.
    await sql.query(
      `insert into lrs.batch (organisation_id, kind, status, requested_by, record_count)
       select 1, 'registration', 'assembled', 'member', 200 from generate_series(1, 150)`,
    );
    tonight = Number(
      (await sql.query(`select min(id) as id from lrs.batch where status = 'assembled'`)).rows[0].id,
    );
    await sql.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, mis_learner_id, payload, status, batch_id)
       select 1, 'member', 'register', 'batch', 'N' || g, '{}'::jsonb, 'batched', $1::bigint + (g - 1) / 200
         from generate_series(1, 30000) g`,
      [tonight],
    );
  });

  it('reads one batch through the batch index, not every request batched tonight', async () => {
    const batch = tonight + 75;
    const measured = measuringBuffers(db.sql());
    expect(await loadBatchRequests(measured.db, batch)).toHaveLength(200);
    const loaded = measured.buffers();
    expect(await loadBatchRequestIds(measured.db, batch)).toHaveLength(200);
    const ids = measured.buffers();
    await db.sql().query('begin');
    try {
      await startSubmitTry(measured.db, batch, 200);
    } finally {
      await db.sql().query('rollback');
    }
    const submit = measured.buffers();
    // A batch's 200 members: a few dozen buffers each. Through the open-request index, all 30,000
    // batched requests are read for each: hundreds.
    expect(Math.max(loaded, ids, submit), JSON.stringify({ loaded, ids, submit })).toBeLessThan(100);
  });

  it('asked by batch and status at once, the planner takes the open-request index: the trap is real', async () => {
    const plan = await explain(
      db.sql(),
      `select id from lrs.request where batch_id = $1 and status = 'batched' order by id`,
      [tonight + 75],
    );
    expect(scansOf(plan, { relation: 'request' })).toEqual(['Index Scan request_open_idx']);
  });
});
