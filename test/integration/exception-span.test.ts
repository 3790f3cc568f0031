/**
 * The history of exceptions (lrs.exception_span) stays true to the requests it describes: a request that
 * is deleted takes its periods with it, and a table truncated with its ids started again (a restore into a
 * used database, a test reset) leaves no open period under an id a new request will take.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('exception periods follow their requests', () => {
  let tdb: TestDatabase;
  let database: Database;
  let org = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'exception-span-test' });
    org = (
      await database.pool.query<{ id: number }>(
        `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
         values ('Span College', '10000016', '{"kind":"env","name":"A"}', 'nightly') returning id`,
      )
    ).rows[0]!.id;
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
  });

  const failedRequest = async () =>
    Number(
      (
        await database.pool.query<{ id: string }>(
          `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, completed_at)
           values ($1, 'mis.user', 'find_by_uln', 'S1', '{}', 'failed', 'TIMEOUT', now()) returning id`,
          [org],
        )
      ).rows[0]!.id,
    );
  const periodsOf = async (id: number) =>
    (
      await database.pool.query<{ open: boolean }>(
        `select closed_at is null as open from lrs.exception_span where request_id = $1`,
        [id],
      )
    ).rows;

  it('a deleted request takes its periods with it', async () => {
    const id = await failedRequest();
    expect(await periodsOf(id)).toEqual([{ open: true }]);
    await database.pool.query(`delete from lrs.request where id = $1`, [id]);
    expect(await periodsOf(id)).toEqual([]);
  });

  it('ids started again after a truncate meet no stale open period', async () => {
    const before = await failedRequest();
    await database.pool.query(`truncate lrs.request restart identity cascade`);
    const again = await failedRequest();
    expect(again).toBe(1);
    expect(before).toBeGreaterThan(again);
    await database.pool.query(`truncate lrs.request restart identity cascade`);
    // The same id once more, an exception again: one open period, its own.
    expect(await failedRequest()).toBe(1);
    expect(await periodsOf(1)).toEqual([{ open: true }]);
  });
});
