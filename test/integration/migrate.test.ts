import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, migrateDatabase, readFunctionFiles } from '../../src/db/migrate.ts';
import { adminUrl, databaseUrl } from '../helpers/urls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { waitUntil } from '../helpers/wait.ts';

const run = promisify(execFile);

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('migrate', () => {
  const name = `lrs_test_mig_${process.pid}_${Date.now()}`;
  beforeAll(() => withClient(adminUrl(), (c) => c.query(`create database ${name}`)));
  afterAll(() => withClient(adminUrl(), (c) => c.query(`drop database if exists ${name} with (force)`)));

  it('applies everything once when run twice in parallel, then again', async () => {
    const url = databaseUrl(name);
    const [a, b] = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    expect(a.applied + b.applied).toBe(a.total);
    expect(a.total).toBe(b.total);
    const again = await migrateDatabase(url);
    expect(again.applied).toBe(0);
    const tables = await withClient(url, (c) =>
      c.query(`select table_name from information_schema.tables where table_schema = 'lrs' order by 1`),
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'audit',
        'batch',
        'learner_status',
        'organisation',
        'outcome',
        'request',
        'response_code',
      ]),
    );
  });

  it('has autovacuum analyse lrs.request and lrs.batch after 1 % of their rows change', async () => {
    // The night's statuses reach the planner well before a tenth of a year-old table has changed.
    const r = await withClient(databaseUrl(name), (c) =>
      c.query(`select relname, reloptions from pg_class
                where relnamespace = 'lrs'::regnamespace and relname in ('request', 'batch') order by relname`),
    );
    expect(r.rows).toEqual([
      { relname: 'batch', reloptions: ['autovacuum_analyze_scale_factor=0.01'] },
      { relname: 'request', reloptions: ['autovacuum_analyze_scale_factor=0.01'] },
    ]);
  });

  it('leaves lrs.submit_request as db/functions/submit-request.sql defines it, on every run', async () => {
    const url = databaseUrl(name);
    const file = readFunctionFiles().find((f) => f.file === 'submit-request.sql');
    const body = /\bAS \$fn\$([\s\S]*)\$fn\$;/.exec(file?.sql ?? '')?.[1];
    expect(body).toContain('lrs.mis_scope()');
    const live = () =>
      withClient(url, async (c) => {
        const r = await c.query(
          `select prosrc, prosecdef, proconfig from pg_proc
            where oid = 'lrs.submit_request(text, text, text, jsonb, text, text, text, integer)'::regprocedure`,
        );
        return r.rows[0] as unknown;
      });
    const expected = { prosrc: body, prosecdef: true, proconfig: ['search_path=pg_catalog, lrs, pg_temp'] };
    expect(await live()).toEqual(expected);
    // Whatever changed it since (a migration redefining it, a hand edit), the next migrate puts the file's back.
    await withClient(url, (c) =>
      c.query(`create or replace function lrs.submit_request(p_organisation text, p_kind text, p_mis_learner_id text,
                 p_payload jsonb, p_requested_by text, p_mode text default 'single', p_dedupe_key text default null,
                 p_priority integer default 1) returns bigint language sql as 'select 1::bigint'`),
    );
    expect(await live()).not.toEqual(expected);
    await migrateDatabase(url);
    expect(await live()).toEqual(expected);
  });

  it('has committed migrations that match the drizzle schema (no drift)', async () => {
    // drizzle-kit only accepts an output folder relative to the project.
    const root = join(MIGRATIONS_FOLDER, '..', '..');
    await mkdir(join(root, 'tmp'), { recursive: true });
    const dir = await mkdtemp(join(root, 'tmp', 'drift-'));
    try {
      await cp(MIGRATIONS_FOLDER, dir, { recursive: true });
      const before = await readdir(dir);
      const { stdout } = await run(
        'npx',
        [
          'drizzle-kit',
          'generate',
          '--dialect',
          'postgresql',
          '--schema',
          './db/schema.ts',
          '--out',
          relative(root, dir),
        ],
        { cwd: root },
      );
      const after = await readdir(dir);
      const hint = `db/schema.ts and db/migrations differ: run \`npm run db:generate\` and commit the migration\n${stdout}`;
      expect(after, hint).toEqual(before);
      expect(stdout, hint).toMatch(/No schema changes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('lrs.submit_request', () => {
  let tdb: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    client = new pg.Client({ connectionString: tdb.url });
    await client.connect();
    await client.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name, is_disabled, disabled_reason)
       values ('Test College', '10000001', '{"kind":"env","name":"X"}', 'nightly', false, null),
              ('Closed College', '10000002', '{"kind":"env","name":"Y"}', 'nightly', true, 'contract ended')`,
    );
  });
  afterAll(async () => {
    await client.end();
    await tdb.drop();
  });

  const submit = (org: string, kind: string, payload: unknown, extra: unknown[] = []) =>
    client.query('select lrs.submit_request($1, $2, $3, $4::jsonb, $5, $6, $7) as id', [
      org,
      kind,
      'STU1',
      JSON.stringify(payload),
      'j.smith',
      ...(extra.length ? extra : ['single', null]),
    ]);
  const count = async () => Number((await client.query('select count(*) from lrs.request')).rows[0].count);

  const learner = {
    givenName: 'Ann',
    familyName: 'Lee',
    dateOfBirth: '2005-01-02',
    gender: '2',
    lastKnownPostCode: 'CV4 9EE',
  };

  it('queues a request, notifies the relay and returns its id; many rows in one transaction wake it once', async () => {
    const listener = new pg.Client({ connectionString: tdb.url });
    await listener.connect();
    try {
      await listener.query('listen lrs_request');
      const notes: string[] = [];
      listener.on('notification', (n) => notes.push(n.payload ?? ''));
      const r = await submit('10000001', 'register', learner);
      expect(Number(r.rows[0].id)).toBeGreaterThan(0);
      await waitUntil(async () => notes.length === 1, 5_000);
      expect(notes).toEqual(['submit']);

      const many = await client.query(
        `select lrs.submit_request('10000001', 'register', 'MANY-' || g, $1::jsonb, 'j.smith') as id
           from generate_series(1, 50) g`,
        [JSON.stringify(learner)],
      );
      expect(new Set(many.rows.map((x: { id: string }) => x.id)).size).toBe(50);
      await waitUntil(async () => notes.length === 2, 5_000);
      await sleep(200); // any further notification of that transaction would have come with the first
      expect(notes).toEqual(['submit', 'submit']);
    } finally {
      await listener.end();
    }
  });

  it.each([
    ['unknown kind', '10000001', 'enrol', learner, /unknown kind 'enrol'/],
    ['unknown organisation', '99999999', 'register', learner, /unknown organisation '99999999'/],
    ['disabled organisation', '10000002', 'register', learner, /disabled: contract ended/],
    [
      'missing fields',
      '10000001',
      'register',
      { givenName: 'Ann' },
      /missing required field\(s\): familyName, dateOfBirth, gender, lastKnownPostCode/,
    ],
    [
      'blank field',
      '10000001',
      'verify',
      { uln: ' ', givenName: 'A', familyName: 'B' },
      /missing required field\(s\): uln/,
    ],
    [
      'nested value',
      '10000001',
      'verify',
      { uln: '1026893096', givenName: { x: 1 }, familyName: 'B' },
      /not objects or lists: givenName/,
    ],
    ['payload not an object', '10000001', 'verify', [1, 2], /payload must be a JSON object/],
  ])('refuses %s with a clear error and inserts nothing', async (_label, org, kind, payload, message) => {
    const before = await count();
    await expect(submit(org, kind, payload)).rejects.toThrow(message);
    expect(await count()).toBe(before);
  });

  it('returns the existing request for a repeated dedupe key', async () => {
    const a = await submit('10000001', 'verify', { uln: '1026893096', givenName: 'A', familyName: 'B' }, [
      'single',
      'chg-42',
    ]);
    const b = await submit('10000001', 'verify', { uln: '1026893096', givenName: 'A', familyName: 'B' }, [
      'single',
      'chg-42',
    ]);
    expect(b.rows[0].id).toBe(a.rows[0].id);
  });
});
