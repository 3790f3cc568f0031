/**
 * NOTIFY lrs_outcome: an MIS listening hears the request id of every request that reaches a terminal
 * status, whichever path wrote it (a single call's completion, a batch's fan-out, a support cancel),
 * once, at commit; nothing for non-terminal changes or rolled-back writes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { settleRequests } from '../../src/db/batches.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { completeRequest, loadRequest, type Resolution } from '../../src/db/requests.ts';
import { createCliActor } from '../../src/support/access.ts';
import { cancelRequests } from '../../src/support/actions.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const FOUND: Resolution = {
  status: 'succeeded',
  code: 'WSRC0004',
  codeSource: 'lrs',
  class: 'success',
  uln: '1234567890',
};

describe('NOTIFY lrs_outcome', () => {
  let tdb: TestDatabase;
  let database: Database;
  let listener: pg.Client;
  let org = 0;
  const heard: string[] = [];

  async function addRequest(status = 'in_progress', batchId: number | null = null): Promise<number> {
    const r = await database.pool.query<{ id: number }>(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, batch_id, mode)
       values ($1, 'mis.user', 'verify', 'STU-' || floor(random() * 1e9)::text, '{}'::jsonb, $2, $3,
               case when $3::bigint is null then 'single' else 'batch' end)
       returning id`,
      [org, status, batchId],
    );
    return r.rows[0]!.id;
  }
  /** Waits until the listener has heard `ids` (in any order), then checks it heard nothing else. */
  async function expectHeard(ids: number[]): Promise<void> {
    const want = ids.map(String).sort();
    await vi.waitFor(() => expect([...heard].sort()).toEqual(want), { timeout: 5_000, interval: 20 });
    // A round trip on the listening connection delivers anything still queued for it.
    await listener.query('select 1');
    expect([...heard].sort()).toEqual(want);
    heard.length = 0;
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'outcome-notify-test' });
    const o = await database.pool.query<{ id: number }>(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Notify College', '10000888', '{"kind":"env","name":"X"}', 'nightly') returning id`,
    );
    org = o.rows[0]!.id;
    listener = new pg.Client({ connectionString: tdb.url, application_name: 'outcome-notify-listener' });
    await listener.connect();
    listener.on('notification', (n) => {
      if (n.channel === 'lrs_outcome') heard.push(n.payload ?? '');
    });
    await listener.query('listen lrs_outcome');
  });
  afterAll(async () => {
    await listener?.end();
    await database?.close();
    await tdb?.drop();
  });

  it('a single call completing: its id, once', async () => {
    const id = await addRequest();
    const row = await loadRequest(database.pool, id);
    expect(await completeRequest(database.pool, row!, FOUND, [])).toBe(true);
    // Already terminal: a second completion changes nothing and notifies nothing.
    expect(await completeRequest(database.pool, row!, FOUND, [])).toBe(false);
    await expectHeard([id]);
  });

  it('a batch fanning out its results: every request of the chunk', async () => {
    const b = await database.pool.query<{ id: number }>(
      `insert into lrs.batch (organisation_id, kind, status, requested_by, record_count)
       values ($1, 'verify', 'fetching', 'nightly', 3) returning id`,
      [org],
    );
    const batchId = b.rows[0]!.id;
    const ids = [
      await addRequest('batched', batchId),
      await addRequest('batched', batchId),
      await addRequest('batched', batchId),
    ];
    await settleRequests(
      database.pool,
      ids.map((requestId) => ({ requestId, resolution: FOUND })),
      { batchId, chunkSize: 2 },
    );
    await expectHeard(ids);
  });

  it('a support cancel: the cancelled ids; nothing for non-terminal moves or rolled-back writes', async () => {
    const open = [await addRequest('pending'), await addRequest('queued')];
    await database.pool.query(`update lrs.request set status = 'queued' where id = $1`, [open[0]]);
    const c = await database.pool.connect();
    try {
      await c.query('begin');
      await c.query(`update lrs.request set status = 'failed', completed_at = now() where id = $1`, [
        open[0],
      ]);
      await c.query('rollback');
    } finally {
      c.release();
    }
    const result = await cancelRequests(database, open, createCliActor('support'));
    expect(result.done).toEqual(open);
    await expectHeard(open);
  });
});
