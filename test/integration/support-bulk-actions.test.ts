/**
 * Safe bulk actions on the dashboard, over HTTP as a support officer meets them: "Cancel all" and
 * "Retry all" change nothing until confirmed (and ask again when the group changed meanwhile); a cancel
 * can be undone by whoever did it, once, for a while, and the requests come back exactly as they were;
 * choosing or rejecting candidates is confirmed first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { createTestClient, type TestClient } from '../e2e/http-client.ts';
import { CANDIDATES, PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addStaff } from '../../src/support/staff.ts';

describe('dashboard bulk actions: confirm first, undo after', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let s: Seeded;
  let alice: TestClient;
  let carol: TestClient;
  let group: number[];

  const states = async (ids: number[]) =>
    (
      await database.pool.query(
        `select r.id, r.status, r.last_code, o.code as outcome_code from lrs.request r
           left join lrs.outcome o on o.request_id = r.id where r.id = any($1::bigint[]) order by r.id`,
        [ids],
      )
    ).rows;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-bulk-actions-test' });
    s = await seedSupportData(database.pool);
    // Two more too-many-matches requests in organisation A: a group of three.
    const more = await database.pool.query<{ id: number }>(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, completed_at)
       select $1, 'mis.user', 'find_by_demographics', 'STU-TM' || i, '{}'::jsonb, 'needs_action', 'WSRC0002', now()
         from generate_series(1, 2) i returning id`,
      [s.orgA],
    );
    for (const { id } of more.rows)
      await database.pool.query(
        `insert into lrs.outcome (request_id, organisation_id, code, code_source, class) values ($1, $2, 'WSRC0002', 'lrs', 'needs_action')`,
        [id, s.orgA],
      );
    group = [s.tooMany, ...more.rows.map((r) => Number(r.id))].sort((a, b) => a - b);
    await addStaff(database, {
      username: 'carol',
      password: PASSWORD,
      organisationIds: [s.orgA],
      cost: 1024,
    });
    let base: string;
    ({ dashboard, url: base } = await startTestDashboard({ db: database }));
    alice = createTestClient(base);
    carol = createTestClient(base);
    expect((await alice.logIn('alice', PASSWORD)).status).toBe(303);
    expect((await carol.logIn('carol', PASSWORD)).status).toBe(303);
  });
  afterAll(async () => {
    await dashboard?.close();
    await database?.close();
    await tdb?.drop();
  });

  it('"Cancel all" asks first, cancels on confirmation, and an undo puts every request back', async () => {
    const before = await states(group);
    const exceptions = await (await alice.get('/exceptions')).text();
    expect(exceptions).toMatch(/data-code="WSRC0002"[\s\S]*?<button[^>]*>Cancel all 3…</);
    // Failed work cannot be cancelled: no button that cannot help.
    const failedGroup = exceptions.slice(exceptions.indexOf('data-code="TIMEOUT"'));
    expect(failedGroup.slice(0, failedGroup.indexOf('</section>'))).not.toContain('Cancel all');

    const form = { _csrf: await alice.csrf(), status: 'needs_action', code: 'WSRC0002', expected: '3' };
    const ask = await alice.post('/exceptions/cancel', form);
    expect(ask.status).toBe(200);
    const page = await ask.text();
    expect(page).toContain('Cancel 3 requests (Needs action, <code>WSRC0002</code>');
    expect(page).toContain('You can undo this for 15 minutes');
    expect(await states(group)).toEqual(before);

    // The group grew between the question and the answer: asked again with the new number.
    const extra = await database.pool.query<{ id: number }>(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, completed_at)
       values ($1, 'mis.user', 'find_by_demographics', 'STU-LATE', '{}'::jsonb, 'needs_action', 'WSRC0002', now()) returning id`,
      [s.orgA],
    );
    const late = Number(extra.rows[0]!.id);
    const again = await alice.post('/exceptions/cancel', { ...form, confirm: 'yes' });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('it now holds 4 requests. Confirm again.');
    expect(await states(group)).toEqual(before);
    group.push(late);

    const done = await alice.post('/exceptions/cancel', { ...form, expected: '4', confirm: 'yes' });
    expect(done.status).toBe(303);
    const location = done.headers.get('location')!;
    expect(location).toMatch(/^\/exceptions\?undo=\d+&done=cancelled&n=4$/);
    expect((await states(group)).map((r) => r.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    const undoId = /undo=(\d+)/.exec(location)![1]!;
    expect(await (await alice.get(location)).text()).toContain(`action="/actions/${undoId}/undo"`);

    // Only whoever cancelled may undo it: carol (same organisation) is refused and changes nothing.
    expect(await (await carol.get(location)).text()).not.toContain('/undo"');
    const refused = await carol.post(`/actions/${undoId}/undo`, { _csrf: await carol.csrf() });
    expect(refused.headers.get('location')).toContain('done=undoGone');
    expect((await states(group)).every((r) => r.status === 'cancelled')).toBe(true);

    const undone = await alice.post(`/actions/${undoId}/undo`, { _csrf: await alice.csrf() });
    expect(undone.headers.get('location')).toBe('/exceptions?done=undone&n=4');
    const after = await states(group);
    expect(after.map((r) => [r.status, r.last_code])).toEqual(group.map(() => ['needs_action', 'WSRC0002']));
    expect(after.slice(0, 3).map((r) => r.outcome_code)).toEqual(['WSRC0002', 'WSRC0002', 'WSRC0002']);
    const audit = await database.pool.query(
      `select operation, code, user_name from lrs.audit where request_id = $1 order by id desc limit 2`,
      [s.tooMany],
    );
    expect(audit.rows).toEqual([
      { operation: 'relay.undo-cancel', code: 'UNDO_CANCEL', user_name: 'alice' },
      { operation: 'relay.cancel', code: 'CANCEL', user_name: 'alice' },
    ]);
    // Once only.
    const twice = await alice.post(`/actions/${undoId}/undo`, { _csrf: await alice.csrf() });
    expect(twice.headers.get('location')).toContain('done=undoGone');
  });

  it('"Retry all" asks first and says it cannot be undone', async () => {
    const form = { _csrf: await alice.csrf(), status: 'failed', code: 'TIMEOUT', expected: '1' };
    const ask = await alice.post('/exceptions/retry', form);
    expect(await ask.text()).toContain('A retry cannot be undone');
    expect((await states([s.failed]))[0].status).toBe('failed');
    const done = await alice.post('/exceptions/retry', { ...form, confirm: 'yes' });
    expect(done.headers.get('location')).toBe('/exceptions?done=retried&n=1');
    expect((await states([s.failed]))[0].status).toBe('pending');
  });

  it('choosing a candidate and rejecting them all are confirmed before anything changes', async () => {
    const csrf = await alice.csrf();
    const choose = await alice.post(`/requests/${s.possible}/resolve`, {
      _csrf: csrf,
      uln: CANDIDATES[1]!.uln,
    });
    expect(choose.status).toBe(200);
    expect(await choose.text()).toContain(
      `is ULN <strong>${CANDIDATES[1]!.uln}</strong> (Anne Lee 2005-02-01)`,
    );
    const reject = await alice.post(`/requests/${s.possible}/resolve`, {
      _csrf: csrf,
      uln: '',
      note: 'Other DOB',
    });
    expect(await reject.text()).toContain('None of the 2 candidates is learner STU-POSSIBLE');
    expect((await states([s.possible]))[0]).toMatchObject({ status: 'needs_action', last_code: 'WSRC0003' });
    const yes = await alice.post(`/requests/${s.possible}/resolve`, {
      _csrf: csrf,
      uln: CANDIDATES[1]!.uln,
      note: '',
      confirm: 'yes',
    });
    expect(yes.headers.get('location')).toContain('done=matched');
    expect((await states([s.possible]))[0]).toMatchObject({
      status: 'succeeded',
      last_code: 'STAFF_MATCHED',
    });
  });
});
