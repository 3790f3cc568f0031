/**
 * Organisation scoping of MIS logins, from the MIS's side: a login mapped to organisation A (with
 * `lrs-relay mis-login grant`) gets SQLSTATE 42501 from lrs.submit_request for any other organisation,
 * naming the organisation and the login; sees no row of organisation B in anything it may read; and
 * works for A, including the sample MIS's trigger, the outcome notification and the ULN write-back. A
 * login mapped to nothing may do nothing. Real logins (random names), connecting as themselves.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMisLogin } from '../../src/cli/mis-login.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { completeRequest, loadRequest } from '../../src/db/requests.ts';
import { createSampleMis } from '../../src/demo/database.ts';
import { createCliActor } from '../../src/support/access.ts';
import { createFakeIo } from '../helpers/cli-io.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { adminUrl } from '../helpers/urls.ts';

const A = '10000011';
const B = '10000022';
const B_ULN = '2222222222';
const A_ULN = '1111111111';
const LEARNER = {
  givenName: 'Ada',
  familyName: 'Lovelace',
  dateOfBirth: '2005-12-10',
  gender: '2',
  lastKnownPostCode: 'CV1 2AB',
};

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('organisation scoping of MIS logins', () => {
  const suffix = randomBytes(4).toString('hex');
  const loginA = `lrs_test_misa_${suffix}`;
  const loginNone = `lrs_test_misn_${suffix}`;
  let tdb: TestDatabase;
  let database: Database;
  let misA: pg.Client;
  let misNone: pg.Client;
  const ctx = () => ({ db: database, actor: createCliActor('ops'), io: createFakeIo() });
  const connectAs = async (login: string) => {
    const u = new URL(tdb.url);
    u.username = login;
    u.password = '';
    const c = new pg.Client({ connectionString: u.toString(), application_name: `scope-test-${login}` });
    await c.connect();
    return c;
  };
  const submit = (c: pg.Client | pg.Pool, org: string, misId: string) =>
    c.query<{ id: string }>(`select lrs.submit_request($1, 'register', $2, $3::jsonb, 'mis.user') as id`, [
      org,
      misId,
      JSON.stringify(LEARNER),
    ]);

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'scope-test' });
    await database.pool.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('College A', $1, '{"kind":"env","name":"X"}', 'a'), ('College B', $2, '{"kind":"env","name":"X"}', 'b')`,
      [A, B],
    );
    // Organisation B's learner, found by the LRS: what a login of A must never see.
    const b = await submit(database.pool, B, 'B-STUDENT-1');
    const row = await loadRequest(database.pool, Number(b.rows[0]!.id));
    await completeRequest(
      database.pool,
      row!,
      { status: 'succeeded', code: 'WSRC0004', codeSource: 'lrs', class: 'success', uln: B_ULN },
      [],
    );
    await createSampleMis(database.pool);
    await asAdmin(
      `create role ${loginA} login in role lrs_mis; create role ${loginNone} login in role lrs_mis`,
    );
    // The MIS's own tables are its business: its login writes them (docs/security.md).
    await database.pool.query(
      `grant usage on schema mis to ${loginA}, ${loginNone};
       grant select, insert, update on mis.students to ${loginA}, ${loginNone};
       grant select on mis.learners_needing_uln to ${loginA}`,
    );
    const io = createFakeIo();
    expect(await runMisLogin(['grant', loginA, '--org', A], { ...ctx(), io })).toBe(0);
    expect(io.lines.join('\n')).toMatch(/Mapped lrs_test_misa_\w+ to 1 more organisation/);
    misA = await connectAs(loginA);
    misNone = await connectAs(loginNone);
  });
  afterAll(async () => {
    await misA?.end();
    await misNone?.end();
    await database?.close();
    await tdb?.drop();
    await asAdmin(`drop role if exists ${loginA}; drop role if exists ${loginNone}`);
  });

  it('lists the mapping, and refuses to map a role that does not exist', async () => {
    const io = createFakeIo();
    expect(await runMisLogin(['list', '--json'], { ...ctx(), io })).toBe(0);
    expect(JSON.parse(io.lines.join('\n'))).toEqual([
      expect.objectContaining({ roleName: loginA, ukprn: A, roleExists: true, roleCanLogin: true }),
    ]);
    const missing = createFakeIo();
    expect(
      await runMisLogin(['grant', `no_such_role_${suffix}`, '--org', A], { ...ctx(), io: missing }),
    ).toBe(1);
    expect(missing.errors.join('\n')).toMatch(/no database role is called "no_such_role_\w+"/);
  });

  it('refuses any other organisation with 42501, naming the organisation and the login', async () => {
    const before = await database.pool.query('select count(*)::int as n from lrs.request');
    await expect(submit(misA, B, 'B-STUDENT-2')).rejects.toMatchObject({
      code: '42501',
      message: `lrs.submit_request: the database login ${loginA} may not submit work for organisation '${B}'`,
    });
    // An organisation that does not exist is refused the same way: the login learns nothing of others.
    await expect(submit(misA, '10000099', 'X-1')).rejects.toMatchObject({ code: '42501' });
    // A login mapped to nothing may submit for no organisation.
    await expect(submit(misNone, A, 'A-STUDENT-9')).rejects.toMatchObject({
      code: '42501',
      message: expect.stringContaining(`'${A}' (it is mapped to no organisation)`),
    });
    const after = await database.pool.query('select count(*)::int as n from lrs.request');
    expect(after.rows).toEqual(before.rows);
  });

  it('sees no row of another organisation in any table or view it may read, and may call only its two functions', async () => {
    await submit(misA, A, 'A-STUDENT-0');
    const readable = await database.pool.query<{ rel: string }>(
      `select format('%I.%I', n.nspname, c.relname) as rel
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'v', 'm', 'p', 'f')
          and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'mis')
          and has_table_privilege($1, c.oid, 'SELECT')
        order by 1`,
      [loginA],
    );
    expect(readable.rows.map((r) => r.rel)).toEqual(['lrs.learner_status', 'lrs.response_code']);
    for (const { rel } of readable.rows) {
      const dump = await misA.query<{ t: string | null }>(`select json_agg(t)::text as t from ${rel} t`);
      const text = dump.rows[0]!.t ?? '';
      for (const secret of [B, 'B-STUDENT-1', B_ULN]) expect(text, rel).not.toContain(secret);
    }
    // Its own organisation's rows are there; everything is there for the relay itself.
    const own = await misA.query('select ukprn, mis_learner_id from lrs.learner_status');
    expect(own.rows).toEqual([{ ukprn: A, mis_learner_id: 'A-STUDENT-0' }]);
    const all = await database.pool.query('select ukprn from lrs.learner_status order by ukprn');
    expect(all.rows.map((r: { ukprn: string }) => r.ukprn)).toEqual([A, B]);
    // Functions in lrs it may execute (trigger functions cannot be called).
    const callable = await database.pool.query<{ f: string }>(
      `select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'lrs' and p.prorettype <> 'trigger'::regtype
          and has_function_privilege($1, p.oid, 'EXECUTE')
        order by 1`,
      [loginA],
    );
    expect(callable.rows.map((r) => r.f)).toEqual([
      'lrs.mis_scope()',
      'lrs.submit_request(text,text,text,jsonb,text,text,text,integer)',
    ]);
    // The login cannot widen its own mapping.
    await expect(
      misA.query(`insert into lrs.mis_login (role_name, organisation_id, granted_by) values ($1, 2, 'me')`, [
        loginA,
      ]),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('works for its own organisation: the MIS trigger, the outcome notification and the ULN write-back', async () => {
    const heard: string[] = [];
    misA.on('notification', (n) => {
      if (n.channel === 'lrs_outcome') heard.push(n.payload ?? '');
    });
    await misA.query('listen lrs_outcome');
    await misA.query(
      `insert into mis.students (student_id, ukprn, forename, surname, birth_date, sex, postcode)
       values ('A-STUDENT-1', $1, 'Ada', 'Lovelace', '2005-12-10', 'F', 'CV1 2AB')`,
      [A],
    );
    // The MIS's own insert for another college is refused by its trigger's call.
    await expect(
      misA.query(
        `insert into mis.students (student_id, ukprn, forename, surname, birth_date, sex, postcode)
         values ('B-STUDENT-3', $1, 'Bea', 'Smith', '2005-01-01', 'F', 'CV1 2AB')`,
        [B],
      ),
    ).rejects.toMatchObject({ code: '42501' });
    const queued = await misA.query<{ request_id: number; status: string }>(
      `select request_id, status from lrs.learner_status where mis_learner_id = 'A-STUDENT-1'`,
    );
    expect(queued.rows).toEqual([{ request_id: expect.any(Number), status: 'pending' }]);
    const id = Number(queued.rows[0]!.request_id);
    // The relay finishes the request (as its own role), as a worker would.
    const row = await loadRequest(database.pool, id);
    await completeRequest(
      database.pool,
      row!,
      { status: 'succeeded', code: 'WSRC0004', codeSource: 'lrs', class: 'success', uln: A_ULN },
      [],
    );
    await vi.waitFor(
      async () => {
        await misA.query('select 1');
        expect(heard).toContain(String(id));
      },
      { timeout: 5_000, interval: 50 },
    );
    const taken = await misA.query<{ n: number }>('select mis.take_ulns_from_lrs() as n');
    expect(taken.rows[0]!.n).toBe(1);
    const student = await misA.query(`select uln from mis.students where student_id = 'A-STUDENT-1'`);
    expect(student.rows).toEqual([{ uln: A_ULN }]);
  });

  it('after `mis-login revoke`, the login may no longer submit for the organisation', async () => {
    const io = createFakeIo();
    expect(await runMisLogin(['revoke', loginA, '--org', A], { ...ctx(), io })).toBe(0);
    expect(io.lines.join('\n')).toMatch(/Removed 1 organisation\(s\) from lrs_test_misa_\w+/);
    await expect(submit(misA, A, 'A-STUDENT-2')).rejects.toMatchObject({ code: '42501' });
    expect((await misA.query('select * from lrs.learner_status')).rows).toEqual([]);
  });
});
