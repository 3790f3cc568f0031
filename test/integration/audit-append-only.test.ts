/**
 * Every audit table is append-only for every role but the schema owner: a login granted lrs_support
 * (the dashboard's and support CLI's) or lrs_mis is refused UPDATE, DELETE and TRUNCATE on each, while
 * support can still add rows. The audit tables are found by name, so one added later is checked too.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { adminUrl } from '../helpers/urls.ts';

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('audit tables are append-only', () => {
  const suffix = randomBytes(4).toString('hex');
  const logins = { lrs_support: `lrs_test_sup_${suffix}`, lrs_mis: `lrs_test_mis_${suffix}` } as const;
  let tdb: TestDatabase;
  let owner: pg.Client;
  const clients = new Map<string, pg.Client>();
  let auditTables: string[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    owner = new pg.Client({ connectionString: tdb.url });
    await owner.connect();
    await owner.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Audit College', '10000444', '{"kind":"env","name":"X"}', 'a');
       insert into lrs.audit (organisation_id, user_name, operation, code, code_source, duration_ms)
       values (1, 'mis.user', 'learnerByUln', 'WSRC0004', 'lrs', 10);
       insert into lrs.staff_audit (user_name, operation, staff_username) values ('cli:ops', 'staff.add', 'sam')`,
    );
    const r = await owner.query<{ t: string }>(
      `select table_name as t from information_schema.tables
        where table_schema = 'lrs' and table_type = 'BASE TABLE' and table_name like '%audit%' order by 1`,
    );
    auditTables = r.rows.map((x) => x.t);
    for (const [role, login] of Object.entries(logins)) {
      await asAdmin(`create role ${login} login in role ${role}`);
      const u = new URL(tdb.url);
      u.username = login;
      u.password = '';
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      clients.set(role, c);
    }
  });
  afterAll(async () => {
    for (const c of clients.values()) await c.end();
    await owner?.end();
    await tdb?.drop();
    await asAdmin(`drop role if exists ${logins.lrs_support}; drop role if exists ${logins.lrs_mis}`);
  });

  it('finds the audit tables', () => {
    expect(auditTables).toEqual(expect.arrayContaining(['audit', 'staff_audit']));
  });

  const refuseAll = async (role: keyof typeof logins) => {
    const c = clients.get(role)!;
    for (const t of auditTables) {
      await expect(
        c.query(`update lrs.${t} set user_name = 'someone else'`),
        `UPDATE ${t}`,
      ).rejects.toMatchObject({
        code: '42501',
      });
      await expect(c.query(`delete from lrs.${t}`), `DELETE ${t}`).rejects.toMatchObject({ code: '42501' });
      await expect(c.query(`truncate lrs.${t}`), `TRUNCATE ${t}`).rejects.toMatchObject({ code: '42501' });
    }
    const kept = await owner.query<{ n: number }>(
      `select (select count(*) from lrs.audit)::int + (select count(*) from lrs.staff_audit)::int as n`,
    );
    expect(kept.rows[0]!.n).toBeGreaterThanOrEqual(2);
  };

  it('refuses UPDATE, DELETE and TRUNCATE on every audit table to a login granted lrs_support', () =>
    refuseAll('lrs_support'));

  it('refuses UPDATE, DELETE and TRUNCATE on every audit table to a login granted lrs_mis', () =>
    refuseAll('lrs_mis'));

  it('still lets support add and read audit rows', async () => {
    const c = clients.get('lrs_support')!;
    await c.query(
      `insert into lrs.staff_audit (user_name, operation, staff_username) values ('dashboard:sam', 'staff.passwd', 'sam')`,
    );
    const r = await c.query('select count(*)::int as n from lrs.staff_audit');
    expect(r.rows[0].n).toBe(2);
  });

  it('writes the history of exceptions when support changes a request, which support may not delete', async () => {
    const c = clients.get('lrs_support')!;
    const id = (
      await owner.query<{ id: string }>(
        `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, completed_at)
         values (1, 'mis.user', 'find_by_uln', 'X1', '{}', 'failed', 'TIMEOUT', now()) returning id`,
      )
    ).rows[0]!.id;
    // A retry as the dashboard makes it, as its login: the trigger closes the period as that login.
    await c.query(`update lrs.request set status = 'pending', last_code = null where id = $1`, [id]);
    const spans = await owner.query(
      `select status, code, closed_at is not null as closed from lrs.exception_span where request_id = $1`,
      [id],
    );
    expect(spans.rows).toEqual([{ status: 'failed', code: 'TIMEOUT', closed: true }]);
    await expect(c.query('delete from lrs.exception_span')).rejects.toMatchObject({ code: '42501' });
    await expect(c.query('truncate lrs.exception_span')).rejects.toMatchObject({ code: '42501' });
  });
});
