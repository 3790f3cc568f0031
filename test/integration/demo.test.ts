import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../db/schema.ts';
import { dropDemoDatabase, withDatabase } from '../../src/demo/database.ts';
import { backlogSizeFor, runDemo } from '../../src/demo/run-demo.ts';
import { formatReport, type DemoReport } from '../../src/demo/summary.ts';
import { createLogger } from '../../src/log.ts';
import { assertNoRedisLeaks, createQueuePrefix } from '../helpers/redis.ts';
import { adminUrl, redisUrl } from '../helpers/urls.ts';

describe('lrs-relay demo (in-process, 200 students)', () => {
  const name = `lrs_demo_test_${randomBytes(5).toString('hex')}`;
  const prefix = createQueuePrefix();
  let report: DemoReport;
  let pool: pg.Pool;

  beforeAll(async () => {
    report = await runDemo({
      learners: 200,
      env: { DATABASE_URL: adminUrl(), REDIS_URL: redisUrl() },
      databaseName: name,
      queuePrefix: prefix,
      ensureServices: false,
      log: createLogger({ level: 'silent' }),
      timeoutMs: 45_000,
    });
    pool = new pg.Pool({
      connectionString: withDatabase(adminUrl(), name),
      max: 2,
      application_name: `${prefix} demo test`,
    });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await dropDemoDatabase(adminUrl(), name);
  });

  it('finishes every request, registers nobody twice and shows the whole mix of outcomes', () => {
    const s = report.summary;
    expect(Object.keys(s).sort()).toEqual(
      ['byCode', 'byStatus', 'duplicateRegistrations', 'registrations', 'requests', 'seconds'].sort(),
    );
    expect(
      Object.keys(s.byStatus).every((status) => (TERMINAL_STATUSES as readonly string[]).includes(status)),
    ).toBe(true);
    expect(Object.values(s.byStatus).reduce((a, b) => a + b, 0)).toBe(s.requests);
    expect(s.requests).toBeGreaterThanOrEqual(195);
    expect(s.duplicateRegistrations).toBe(0);
    // Registered by a single call (WSRC0005) or in the nightly acquisition's batch (RC001).
    expect(s.registrations).toBe(s.byCode.WSRC0005! + (s.byCode.RC001 ?? 0));
    for (const code of [
      'WSRC0005',
      'WSRC0004',
      'WSRC0003',
      'WSRC0002',
      'WSRC0022',
      'WSVRC001',
      'WSRC0006',
      'LOCAL_VALIDATION',
    ]) {
      expect(s.byCode[code], code).toBeGreaterThan(0);
    }
    expect(s.byStatus).toMatchObject({
      succeeded: expect.any(Number),
      needs_action: expect.any(Number),
      rejected: expect.any(Number),
    });
    expect(report.notSubmitted).toBe(2); // the incomplete students (no postcode)
    expect(s.seconds).toBeLessThan(45);
  });

  it('runs a nightly ULN acquisition through batches: the backlog is sent, answered, and its exceptions wait for staff', async () => {
    expect(report.nightly.requests).toBe(backlogSizeFor(200));
    expect(report.nightly.batches).toBeGreaterThan(0);
    const q = async (sql: string) => (await pool.query(sql)).rows;
    const runs = await q(`select run_key, requests_created from lrs.acquisition_run`);
    expect(runs).toEqual([
      { run_key: expect.stringMatching(/^nightly:/), requests_created: report.nightly.requests },
    ]);
    const batched = await q(
      `select r.status, r.last_code as code, r.batch_id from lrs.request r where r.mode = 'batch' and r.mis_learner_id like 'B%'`,
    );
    expect(batched).toHaveLength(report.nightly.requests);
    const count = (status: string, code: string) =>
      batched.filter((r) => r.status === status && r.code === code).length;
    // Found or registered by the LRS's batch (new ULN, found, linked) …
    expect(count('succeeded', 'RC001')).toBeGreaterThan(0);
    expect(count('succeeded', 'RC002')).toBeGreaterThan(0);
    // … batch exceptions for staff: possible matches and too many matches …
    expect(count('needs_action', 'RC008')).toBeGreaterThan(0);
    expect(count('needs_action', 'RC007')).toBeGreaterThan(0);
    // … and bad data refused before any batch, as a single call would be.
    expect(count('rejected', 'LOCAL_VALIDATION')).toBeGreaterThan(0);
    const inBatches = batched.filter((r) => r.batch_id !== null).length;
    const jobs = await q(`select kind, status, record_count from lrs.batch order by id`);
    expect(jobs.length).toBe(report.nightly.batches);
    expect(jobs.every((b) => b.kind === 'registration' && b.status === 'completed')).toBe(true);
    expect(jobs.reduce((n, b) => n + (b.record_count as number), 0)).toBe(inBatches);
    expect(formatReport(report)).toContain(
      `The nightly ULN acquisition sent ${report.nightly.requests} student(s)`,
    );
  });

  it('the MIS hears every finished request and gets its ULNs back, queuing no new request', async () => {
    expect(report.outcomeNotifications).toBe(report.summary.requests);
    expect(report.ulnsWrittenBack).toBeGreaterThan(50);
    const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0]!.n;
    // Every student whose latest request succeeded with a ULN has it in the MIS (the master ULN if linked).
    expect(
      await count(`select count(*)::int as n from mis.students s
                     join lrs.learner_status ls on ls.ukprn = s.ukprn and ls.mis_learner_id = s.student_id
                    where ls.status = 'succeeded' and ls.request_uln is not null
                      and s.uln is distinct from coalesce(ls.master_uln, ls.request_uln)`),
    ).toBe(0);
    // The write-back queued no verify: no student registered first was ever sent to verify afterwards.
    expect(
      await count(`select count(*)::int as n from lrs.request v
                    where v.kind = 'verify'
                      and exists (select 1 from lrs.request r
                                   where r.mis_learner_id = v.mis_learner_id and r.kind = 'register' and r.id < v.id)`),
    ).toBe(0);
    expect(await count('select count(*)::int as n from lrs.request')).toBe(report.summary.requests);
    expect(formatReport(report)).toContain(
      `${report.ulnsWrittenBack} student(s) got their ULN in mis.students`,
    );
  });

  it('closed every connection it opened', async () => {
    // Backends end a moment after their client disconnects: allow a second, as the test DB helper does.
    let open: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await pool.query<{ application_name: string }>(
        'select application_name from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and application_name not like $2',
        [name, '%demo test'],
      );
      open = r.rows.map((x) => x.application_name);
      if (open.length === 0) break;
      await sleep(50);
    }
    expect(open).toEqual([]);
    await assertNoRedisLeaks(prefix);
  });

  it('MIS trigger: insert and change students → register, verify and update requests with LRS fields', async () => {
    const q = (sql: string, params: unknown[] = []) => pool.query(sql, params);
    const requestsOf = async (id: string) =>
      (
        await q(
          'select kind, mode, requested_by, payload from lrs.request where mis_learner_id = $1 order by id',
          [id],
        )
      ).rows;
    await q(`insert into mis.students (student_id, ukprn, forename, surname, birth_date, sex, postcode, updated_by)
             values ('T1', '10000001', 'Ann', 'Lee', '2008-02-03', 'X', 'CV4 9EE', 'k.jones')`);
    expect(await requestsOf('T1')).toEqual([
      {
        kind: 'register',
        mode: 'auto',
        requested_by: 'k.jones',
        payload: {
          givenName: 'Ann',
          familyName: 'Lee',
          dateOfBirth: '2008-02-03',
          gender: '9',
          lastKnownPostCode: 'CV4 9EE',
          verificationType: '0',
          abilityToShare: '1',
        },
      },
    ]);
    await q(`insert into mis.students (student_id, ukprn, forename, surname, birth_date, sex, postcode, uln)
             values ('T2', '10000001', 'Sample', 'Testname', '1976-08-16', 'F', 'CV4 9EE', '1026893096')`);
    await q(`update mis.students set postcode = 'CV4 7AL' where student_id = 'T2'`);
    await q(`update mis.students set email = 'sample@example.ac.uk' where student_id = 'T2'`); // not an LRS identity change
    const t2 = await requestsOf('T2');
    expect(t2.map((r) => [r.kind, r.mode])).toEqual([
      ['verify', 'auto'],
      ['update', 'single'],
    ]);
    expect(t2[1].payload).toMatchObject({
      uln: '1026893096',
      gender: '2',
      lastKnownPostCode: 'CV4 7AL',
      dateOfBirth: '1976-08-16',
    });

    // Incomplete: nothing until the record is complete; a ULN typed in later is verified.
    await q(
      `insert into mis.students (student_id, ukprn, forename, surname, birth_date, sex) values ('T3', '10000001', 'Bo', 'Ray', '2008-05-06', 'M')`,
    );
    expect(await requestsOf('T3')).toEqual([]);
    await q(`update mis.students set postcode = 'M1 1AE' where student_id = 'T3'`);
    await q(`update mis.students set uln = '1174112637' where student_id = 'T3'`);
    expect((await requestsOf('T3')).map((r) => r.kind)).toEqual(['register', 'verify']);

    // The nightly acquisition's view: students without a ULN, none found, nothing open.
    const view = await q(`select * from mis.learners_needing_uln where mis_learner_id in ('T1', 'T3')`);
    expect(view.rows).toEqual([]); // T1 has an open request, T3 has a ULN
    const cols = await q(`select * from mis.learners_needing_uln limit 0`);
    expect(cols.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'organisation',
        'mis_learner_id',
        'givenName',
        'familyName',
        'dateOfBirth',
        'gender',
        'lastKnownPostCode',
      ]),
    );
  });

  it('malformed input through lrs.submit_request or the trigger is refused with a clear error and inserts nothing', async () => {
    const count = async () =>
      (await pool.query('select count(*)::int as n from lrs.request')).rows[0].n as number;
    const before = await count();
    const good = {
      givenName: 'Ann',
      familyName: 'Lee',
      dateOfBirth: '2008-02-03',
      gender: '2',
      lastKnownPostCode: 'CV4 9EE',
    };
    const submit = (
      org: unknown,
      kind: unknown,
      id: unknown,
      payload: unknown,
      user: unknown,
      mode: unknown = 'single',
      priority: unknown = 1,
    ) =>
      pool.query('select lrs.submit_request($1, $2, $3, $4::jsonb, $5, $6, null, $7)', [
        org,
        kind,
        id,
        payload,
        user,
        mode,
        priority,
      ]);
    const cases: [unknown[], RegExp][] = [
      [['10000001', 'delete_everything', 'M1', JSON.stringify(good), 'u'], /unknown kind/],
      [['10000001', 'register', 'M1', JSON.stringify(good), 'u', 'sometimes'], /unknown mode/],
      [
        ["10000001'; drop table lrs.request; --", 'register', 'M1', JSON.stringify(good), 'u'],
        /organisation must be a UKPRN \(8 characters\) or organisation reference/,
      ],
      [
        ['10000001', 'register', 'M1', JSON.stringify({ ...good, dateOfBirth: null, gender: '' }), 'u'],
        /missing required field\(s\): dateOfBirth, gender/,
      ],
      [
        ['10000001', 'register', 'M1', JSON.stringify({ ...good, givenName: { $ne: 1 } }), 'u'],
        /not objects or lists: givenName/,
      ],
      [['10000001', 'register', 'M1', JSON.stringify([good]), 'u'], /payload must be a JSON object/],
      [
        ['10000001', 'register', 'x'.repeat(129), JSON.stringify(good), 'u'],
        /mis_learner_id must be 1 to 128/,
      ],
      [['10000001', 'register', 'M1', JSON.stringify(good), 'u'.repeat(36)], /requested_by .* 1 to 35/],
      [['10000001', 'register', 'M1', JSON.stringify(good), ' '], /requested_by/],
      [['10000001', 'register', 'M1', JSON.stringify(good), 'u', 'single', 0], /priority/],
      [
        ['10000001', 'register', 'M1', '{"givenName": "A\\u0000"}', 'u'],
        /unsupported Unicode escape|\\u0000/,
      ],
      [['10000001', 'register', 'M1', '{not json', 'u'], /invalid input syntax for type json/],
    ];
    for (const [args, message] of cases) {
      await expect(submit(...(args as Parameters<typeof submit>)), String(message)).rejects.toThrow(message);
    }
    // An MIS row for an organisation the relay does not serve: the MIS's insert fails, nothing is half-written.
    await expect(
      pool.query(
        `insert into mis.students (student_id, ukprn, forename, surname, birth_date, sex, postcode) values ('T9', '99999999', 'A', 'B', '2008-01-01', 'M', 'CV4 9EE')`,
      ),
    ).rejects.toThrow(/unknown organisation/);
    expect(
      (await pool.query(`select count(*)::int as n from mis.students where student_id = 'T9'`)).rows[0].n,
    ).toBe(0);
    expect(await count()).toBe(before);
  });
});
