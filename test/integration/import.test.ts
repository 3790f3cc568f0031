import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv, type ImportOptions } from '../../src/import/csv.ts';
import { ImportSetupError, parseMapOption } from '../../src/import/map.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));

describe('lrs-relay import', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const base = (o: Partial<ImportOptions>): ImportOptions => ({
    pool,
    input: fixture('good.csv'),
    organisation: '10000001',
    kind: 'register',
    user: 'j.smith',
    ...o,
  });
  const requests = async (prefix: string) =>
    (
      await pool.query(
        `select mis_learner_id, kind, mode, priority, requested_by, payload from lrs.request where mis_learner_id like $1 order by mis_learner_id`,
        [`${prefix}%`],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'import test' });
    await pool.query(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name) values ('College', '10000001', '{"kind":"env","name":"X"}', 'nightly')`,
    );
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('queues good rows with mapped LRS fields, and queues nothing twice on re-import', async () => {
    const first = await importCsv(base({}));
    expect(first).toMatchObject({ rows: 5, submitted: 5, alreadyQueued: 0, rejectedRows: 0, rejections: [] });
    const rows = await requests('G');
    expect(rows.map((r) => r.mis_learner_id)).toEqual(['G001', 'G002', 'G003', 'G004', 'G005']);
    expect(rows[0]).toMatchObject({ kind: 'register', mode: 'auto', priority: 5, requested_by: 'j.smith' });
    expect(rows[0].payload).toEqual({
      givenName: 'Aaliyah',
      familyName: 'Abbott',
      dateOfBirth: '2008-04-03',
      gender: '2',
      lastKnownPostCode: 'CV4 9EE',
      emailAddress: 'aaliyah.abbott@example.ac.uk',
      verificationType: '0',
      abilityToShare: '0',
    });
    expect(rows.map((r) => r.payload.gender)).toEqual(['2', '1', '0', '9', '2']);
    expect(rows[1].payload.lastKnownPostCode).toBe('LS1 4AB');
    expect(rows[2].payload).toMatchObject({
      givenName: 'Zoë',
      familyName: 'Łukaszewicz',
      dateOfBirth: '2008-02-29',
    });

    const again = await importCsv(base({}));
    expect(again).toMatchObject({ rows: 5, submitted: 0, alreadyQueued: 5, rejectedRows: 0 });
    expect(await requests('G')).toHaveLength(5);
  });

  it('reports every bad row by row, field and problem, passes metacharacters safely as data, and loses nothing', async () => {
    const r = await importCsv(base({ input: fixture('bad.csv') }));
    const byRow = new Map<number, string[]>();
    for (const x of r.rejections) byRow.set(x.row, [...(byRow.get(x.row) ?? []), `${x.field}: ${x.problem}`]);
    expect([...byRow.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 16, 17]);
    expect(byRow.get(1)).toEqual(['familyName: must be 1–35 characters']);
    expect(byRow.get(2)?.[0]).toMatch(/^dateOfBirth: is not a real date/);
    expect(byRow.get(4)?.[0]).toMatch(/two-digit year/);
    expect(byRow.get(6)?.[0]).toMatch(/^gender:/);
    expect(byRow.get(7)?.[0]).toMatch(/^lastKnownPostCode: must be a UK postcode/);
    expect(byRow.get(8)).toEqual(['misLearnerId: is required']);
    expect(byRow.get(9)?.[0]).toMatch(/^row: has 5 fields/);
    expect(byRow.get(13)?.[0]).toMatch(/^dateOfBirth: must be a date .* 1800 to 2099/);
    expect(byRow.get(16)?.[0]).toMatch(/control characters/);
    // Rows 11 and 12 (SQL and XML metacharacters) and 15 are queued; row 18 repeats row 15.
    expect(r).toMatchObject({ rows: 18, submitted: 3, alreadyQueued: 1, rejectedRows: 14 });
    expect(r.rows).toBe(r.submitted + r.alreadyQueued + r.rejectedRows);
    const queued = await requests('B0');
    expect(queued.map((q) => q.mis_learner_id)).toEqual(['B011', 'B012', 'B015']);
    expect(queued[0].payload.givenName).toBe("'; drop table x; --");
    expect(queued[1].payload).toMatchObject({ givenName: '<![CDATA[', familyName: ']]></Learner>' });
    // The report never carries the data itself.
    expect(JSON.stringify(r)).not.toMatch(/Featherstone|Crawshaw|yesterday|NOT KNOWN|Reuben|Nwo/);
  });

  it('refuses non-UTF-8 cells row by row and queues the rest', async () => {
    const r = await importCsv(base({ input: fixture('windows-1252.csv') }));
    expect(r).toMatchObject({ rows: 3, submitted: 1, rejectedRows: 2 });
    expect(r.rejections.map((x) => [x.row, x.field, x.column])).toEqual([
      [1, 'givenName', 'forename'],
      [3, 'givenName', 'forename'],
    ]);
    expect(r.rejections[0]?.problem).toMatch(/not UTF-8/);
    expect((await requests('L')).map((q) => q.mis_learner_id)).toEqual(['L002']);
  });

  it('refuses a non-UTF-8 header and an unreadable CSV record without crashing', async () => {
    const latin1Header = Buffer.from('student_id,pr\xe9nom,nom\nX1,Ann,Lee\n', 'latin1');
    await expect(importCsv(base({ input: Readable.from([latin1Header]) }))).rejects.toThrow(ImportSetupError);
    await expect(importCsv(base({ input: Readable.from([Buffer.alloc(0)]) }))).rejects.toThrow(/empty/);
    const r = await importCsv(base({ input: fixture('bad-quoting.csv') }));
    expect(r.submitted).toBe(0);
    expect(r.rejections[0]).toMatchObject({
      row: 1,
      field: 'row',
      problem: expect.stringMatching(/could not be read as CSV/),
    });
    expect(r.rows).toBe(r.submitted + r.alreadyQueued + r.rejectedRows);
  });

  it('splits a full-name column and honours --map for other column names', async () => {
    const names = await importCsv(base({ input: fixture('full-name.csv') }));
    expect(names).toMatchObject({ rows: 3, submitted: 2, rejectedRows: 1 });
    expect(names.rejections).toEqual([
      { row: 3, line: 4, field: 'familyName', column: 'Name', problem: 'is required' },
    ]);
    const n = await requests('N00');
    expect(n[0].payload).toMatchObject({
      givenName: 'Aaliyah',
      middleOtherName: 'Grace',
      familyName: 'Abbott',
      dateOfBirth: '2008-04-03',
    });

    const map = parseMapOption('mis_id=misLearnerId,first=givenName,last=familyName');
    const verify = await importCsv(
      base({ input: fixture('verify-custom-columns.csv'), kind: 'verify', mode: 'single', map }),
    );
    expect(verify).toMatchObject({ rows: 4, submitted: 1, rejectedRows: 3 });
    expect(verify.rejections.map((x) => [x.row, x.field])).toEqual([
      [2, 'uln'],
      [3, 'uln'],
      [4, 'uln'],
    ]);
    expect((await requests('V'))[0]).toMatchObject({
      mis_learner_id: 'V001',
      kind: 'verify',
      mode: 'single',
      payload: { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' },
    });
  });

  it('dry run queues nothing; an unknown organisation or missing file stops before any row', async () => {
    const before = (await pool.query('select count(*)::int as n from lrs.request')).rows[0].n as number;
    const dry = await importCsv(
      base({ input: fixture('full-name.csv'), kind: 'find_by_demographics', dryRun: true }),
    );
    expect(dry).toMatchObject({ dryRun: true, submitted: 2, rejectedRows: 1 });
    await expect(importCsv(base({ organisation: '99999999' }))).rejects.toThrow(/unknown organisation/);
    await expect(importCsv(base({ input: fixture('no-such-file.csv') }))).rejects.toThrow(/ENOENT/);
    expect((await pool.query('select count(*)::int as n from lrs.request')).rows[0].n).toBe(before);
  });
});
