/**
 * The request kinds are listed once, in REQUEST_KINDS (db/schema.ts; src/db/kinds.ts derives how
 * each travels). Postgres holds two copies it cannot import: the lrs.request check constraint (generated
 * from REQUEST_KINDS by drizzle) and the list lrs.submit_request accepts (hand-written SQL). Both must
 * agree with the TypeScript list, or the MIS could queue work no processor handles, or be refused work
 * the relay can do.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_KINDS } from '../../db/schema.ts';
import { BATCHABLE_KINDS, SINGLE_CALL_KINDS } from '../../src/db/kinds.ts';
import { PROCESSORS } from '../../src/requests/processors.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('one list of request kinds', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name) values ('Kinds College', '10000001', '{"kind":"env","name":"X"}', 'kinds')`,
    );
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  /** What lrs.submit_request says about a kind with an empty payload: 'unknown kind', or anything else. */
  const verdict = async (kind: string) => {
    try {
      await sql.query(`select lrs.submit_request('10000001', $1, 'K1', '{}'::jsonb, 'kinds')`, [kind]);
      return 'accepted';
    } catch (e) {
      return /unknown kind/.test(String(e)) ? 'unknown kind' : 'known kind';
    }
  };

  it('lrs.submit_request knows every kind in REQUEST_KINDS and no other', async () => {
    for (const kind of REQUEST_KINDS) expect(await verdict(kind), kind).not.toBe('unknown kind');
    for (const kind of ['enrol', 'registration', 'find', 'Register'])
      expect(await verdict(kind), kind).toBe('unknown kind');
  });

  it('the lrs.request check constraint lists exactly REQUEST_KINDS', async () => {
    const r = await sql.query<{ def: string }>(
      `select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'request_kind'`,
    );
    // CHECK ((kind = ANY ('{find_by_uln,…}'::text[])))
    const listed = /'\{([a-z_,]+)\}'::text\[\]/.exec(r.rows[0]?.def ?? '')?.[1]?.split(',') ?? [];
    expect(listed.sort()).toEqual([...REQUEST_KINDS].sort());
  });

  it('every kind travels somehow: a single-call processor, a batch, or both', () => {
    expect(Object.keys(PROCESSORS).sort()).toEqual([...SINGLE_CALL_KINDS].sort());
    for (const kind of REQUEST_KINDS)
      expect(
        (SINGLE_CALL_KINDS as readonly string[]).includes(kind) ||
          (BATCHABLE_KINDS as readonly string[]).includes(kind),
        kind,
      ).toBe(true);
  });
});
