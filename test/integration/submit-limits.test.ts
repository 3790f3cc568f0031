/**
 * lrs.submit_request refuses oversize and control-character input with an error naming the field
 * and the limit (SQLSTATE and message), and inserts nothing; and a login granted only lrs_mis can
 * submit and read lrs.learner_status but reach no table.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { adminUrl } from '../helpers/urls.ts';

let tdb: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  tdb = await createTestDatabase();
  client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
  await client.query(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
     values ('Test College', '10000001', '{"kind":"env","name":"X"}', 'nightly')`,
  );
});
afterAll(async () => {
  await client?.end();
  await tdb?.drop();
});

const learner = {
  givenName: 'Ann',
  familyName: 'Lee',
  dateOfBirth: '2005-01-02',
  gender: '2',
  lastKnownPostCode: 'CV4 9EE',
};

type Args = {
  org?: string;
  kind?: string;
  misId?: string;
  payload?: unknown;
  by?: string;
  mode?: string;
  dedupe?: string | null;
};

function submit(c: pg.Client, a: Args = {}) {
  return c.query('select lrs.submit_request($1, $2, $3, $4::jsonb, $5, $6, $7) as id', [
    a.org ?? '10000001',
    a.kind ?? 'register',
    a.misId ?? 'STU1',
    JSON.stringify(a.payload ?? learner),
    a.by ?? 'j.smith',
    a.mode ?? 'single',
    a.dedupe ?? null,
  ]);
}

const count = async () => Number((await client.query('select count(*) from lrs.request')).rows[0].count);

describe('lrs.submit_request limits', () => {
  const manyKeys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, 'x']));
  it.each<[string, Args, string, RegExp]>([
    [
      '5,000,000-character given name',
      { payload: { ...learner, givenName: 'A'.repeat(5_000_000) } },
      '54000',
      /payload is \d+ bytes; the limit is 16384 bytes/,
    ],
    [
      '256-character given name',
      { payload: { ...learner, givenName: 'A'.repeat(256) } },
      '22001',
      /payload field givenName is 256 characters; the limit is 255/,
    ],
    [
      '4,001-character notes',
      { payload: { ...learner, notes: 'n'.repeat(4_001) } },
      '22001',
      /payload field notes is 4001 characters; the limit is 4000/,
    ],
    [
      '256-character unnamed field',
      {
        kind: 'achievement',
        payload: {
          ...learner,
          uln: '1026893096',
          unitOrQualificationReferenceNumber: 'Q',
          achievementAwardDate: '2024-01-01',
          extra: 'x'.repeat(256),
        },
      },
      '22001',
      /payload field extra is 256 characters; the limit is 255/,
    ],
    [
      '20,000 payload keys',
      { payload: { ...learner, ...manyKeys } },
      '54000',
      /payload (has 20005 fields; the limit is 40|is \d+ bytes)/,
    ],
    [
      '41 payload keys',
      {
        payload: { ...learner, ...Object.fromEntries(Array.from({ length: 36 }, (_, i) => [`f${i}`, 'x'])) },
      },
      '54000',
      /payload has 41 fields; the limit is 40/,
    ],
    [
      'a field name that is not one',
      { payload: { ...learner, 'given name; drop': 'x' } },
      '22023',
      /payload field name 'given name; drop' is not a field name/,
    ],
    [
      'a 65-character field name',
      { payload: { ...learner, ['f'.repeat(65)]: 'x' } },
      '22023',
      /payload field name \(over 64 characters or with control characters\) is not a field name/,
    ],
    [
      'a field name starting with a digit',
      { payload: { ...learner, '1st': 'x' } },
      '22023',
      /payload field name '1st' is not a field name/,
    ],
    [
      'a blank required field',
      { payload: { ...learner, familyName: '  ', dateOfBirth: null } },
      '23502',
      /register request is missing required field\(s\): familyName, dateOfBirth/,
    ],
    ['mis_learner_id of only a tab', { misId: '\t' }, '22023', /mis_learner_id contains control characters/],
    [
      '129-character mis_learner_id',
      { misId: 'S'.repeat(129) },
      '22023',
      /mis_learner_id must be 1 to 128 characters/,
    ],
    [
      '9.6 KB dedupe key',
      { dedupe: 'k'.repeat(9_600) },
      '22001',
      /dedupe_key must be 1 to 200 characters .* this one is 9600 characters/,
    ],
    ['blank dedupe key', { dedupe: '  ' }, '22001', /dedupe_key must be 1 to 200 characters/],
    [
      '5,000,000-character organisation',
      { org: '1'.repeat(5_000_000) },
      '22023',
      /organisation must be a UKPRN/,
    ],
    [
      '5,000,000-character kind',
      { kind: 'k'.repeat(5_000_000) },
      '22023',
      /unknown kind \(over 32 characters/,
    ],
    ['oversize mode', { mode: 'm'.repeat(100) }, '22023', /unknown mode \(over 32 characters/],
    [
      '36-character requested_by',
      { by: 'u'.repeat(36) },
      '22023',
      /requested_by \(the LRS UserName\) must be 1 to 35/,
    ],
    [
      'ESC and BEL in a given name',
      { payload: { ...learner, givenName: 'A\x1b]0;pwned\x07' } },
      '22023',
      /payload field givenName contains control characters/,
    ],
    [
      'U+202E in a family name',
      { payload: { ...learner, familyName: 'Lee\u202Egnp.exe' } },
      '22023',
      /payload field familyName contains control characters/,
    ],
    [
      'U+061C (Arabic letter mark) in a given name',
      { payload: { ...learner, givenName: 'Ann\u061Ce' } },
      '22023',
      /payload field givenName contains control characters or invisible formatting characters/,
    ],
    [
      'U+200B (zero-width space) in a family name',
      { payload: { ...learner, familyName: 'Lee\u200B' } },
      '22023',
      /payload field familyName contains control characters or invisible formatting characters/,
    ],
    [
      'U+FFF9 (interlinear annotation) in a postcode',
      { payload: { ...learner, lastKnownPostCode: '\uFFF9CV4 9EE\uFFFB' } },
      '22023',
      /payload field lastKnownPostCode contains control characters or invisible formatting characters/,
    ],
    [
      'a tag character (U+E0041, outside the BMP) in notes',
      { payload: { ...learner, notes: 'fine\u{E0041}' } },
      '22023',
      /payload field notes contains control characters or invisible formatting characters/,
    ],
    [
      'U+00AD (soft hyphen) in the MIS learner id',
      { misId: 'S\u00AD1' },
      '22023',
      /mis_learner_id contains control characters or invisible formatting characters/,
    ],
    [
      'C1 control in a postcode',
      { payload: { ...learner, lastKnownPostCode: 'CV4\u009b9EE' } },
      '22023',
      /payload field lastKnownPostCode contains control characters/,
    ],
    ['ESC in mis_learner_id', { misId: 'S1\x1b[2J' }, '22023', /mis_learner_id contains control characters/],
    ['ESC in requested_by', { by: 'j\x1b[31m' }, '22023', /requested_by contains control characters/],
    ['ESC in dedupe key', { dedupe: 'k\x1b' }, '22023', /dedupe_key contains control characters/],
    [
      'ESC in notes',
      { payload: { ...learner, notes: 'line\x1b[2J' } },
      '22023',
      /payload field notes contains control characters/,
    ],
  ])(
    'refuses %s with its SQLSTATE and a message naming the field and the limit',
    async (_label, args, code, message) => {
      const before = await count();
      const e = (await submit(client, args).then(
        () => undefined,
        (err: unknown) => err,
      )) as (Error & { code?: string }) | undefined;
      expect(e, 'the call was accepted').toBeDefined();
      expect(e!.message).toMatch(message);
      expect(e!.code).toBe(code);
      expect(await count()).toBe(before);
    },
  );

  it('accepts fields at their limits and line breaks in notes', async () => {
    const r = await submit(client, {
      misId: 'S'.repeat(128),
      dedupe: 'd'.repeat(200),
      payload: {
        ...learner,
        givenName: 'A'.repeat(35),
        lastKnownPostCode: 'CV4 9EE  ',
        notes: 'first line\nsecond\tline',
        ['f'.repeat(64)]: 'x',
      },
    });
    expect(Number(r.rows[0].id)).toBeGreaterThan(0);
  });

  it('returns the first request again for the same dedupe key, and never dedupes requests without one', async () => {
    const first = await submit(client, { misId: 'DEDUPE-1', dedupe: 'change-1' });
    const again = await submit(client, { misId: 'DEDUPE-1', dedupe: 'change-1' });
    expect(again.rows[0].id).toBe(first.rows[0].id);
    const a = await submit(client, { misId: 'DEDUPE-1' });
    const b = await submit(client, { misId: 'DEDUPE-1' });
    expect(new Set([first.rows[0].id, a.rows[0].id, b.rows[0].id]).size).toBe(3);
  });

  it('stores values the LRS would refuse, for its own validation to reject visibly', async () => {
    // A 42-character family name breaks the LRS's rule (35) but is real MIS data: the MIS's insert must
    // not fail; the request is stored and ends rejected with LOCAL_VALIDATION naming the field.
    const r = await submit(client, {
      misId: 'LONG-NAME',
      payload: {
        ...learner,
        familyName: 'Montgomery-Fotheringham-Smythe-Wellington',
        lastKnownPostCode: 'CV4 9EE 1234',
      },
    });
    expect(Number(r.rows[0].id)).toBeGreaterThan(0);
  });
});

describe('database roles', () => {
  const login = `lrs_test_mis_${randomBytes(4).toString('hex')}`;
  let mis: pg.Client;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      await admin.query(`create role ${login} login in role lrs_mis`);
    } finally {
      await admin.end();
    }
    const u = new URL(tdb.url);
    u.username = login;
    u.password = '';
    mis = new pg.Client({ connectionString: u.toString() });
    await mis.connect();
  });
  afterAll(async () => {
    await mis?.end();
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      await admin.query(`drop role if exists ${login}`);
    } finally {
      await admin.end();
    }
  });

  it('a login granted lrs_mis and mapped to the organisation submits work and reads lrs.learner_status and the code table', async () => {
    await client.query(
      `insert into lrs.mis_login (role_name, organisation_id, granted_by)
       select $1, id, 'test' from lrs.organisation where ukprn = '10000001'`,
      [login],
    );
    const r = await submit(mis, { misId: 'MIS-ROLE-1' });
    const id = Number(r.rows[0].id);
    const status = await mis.query(
      'select request_id, status from lrs.learner_status where ukprn = $1 and mis_learner_id = $2',
      ['10000001', 'MIS-ROLE-1'],
    );
    expect(status.rows).toEqual([{ request_id: String(id), status: 'pending' }]);
    const codes = await mis.query('select count(*)::int as n from lrs.response_code');
    expect(codes.rows[0].n).toBeGreaterThan(0);
  });

  it.each([
    [
      'insert into lrs.request',
      `insert into lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload) values (1, 'x', 'register', 'single', 1, 'S', '{}')`,
    ],
    ['read lrs.request (payloads)', 'select payload from lrs.request'],
    ['read lrs.organisation', 'select * from lrs.organisation'],
    ['read lrs.audit', 'select * from lrs.audit'],
    ['read lrs.outcome', 'select * from lrs.outcome'],
    ['read lrs.staff_user', 'select * from lrs.staff_user'],
    ['update lrs.request', `update lrs.request set status = 'cancelled'`],
  ])('a login granted lrs_mis cannot %s', async (_label, sql) => {
    await expect(mis.query(sql)).rejects.toMatchObject({ code: '42501' });
  });

  it('nobody else may execute lrs.submit_request', async () => {
    const r = await client.query(
      `select has_function_privilege('public', 'lrs.submit_request(text, text, text, jsonb, text, text, text, integer)', 'execute') as p,
              prosecdef, proconfig
         from pg_proc where oid = 'lrs.submit_request(text, text, text, jsonb, text, text, text, integer)'::regprocedure`,
    );
    expect(r.rows[0]).toEqual({
      p: false,
      prosecdef: true,
      proconfig: ['search_path=pg_catalog, lrs, pg_temp'],
    });
  });
});
