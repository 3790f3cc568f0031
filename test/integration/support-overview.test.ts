/**
 * The dashboard overview over HTTP, as a support officer reads it: the state of the service at a glance.
 * A health line per organisation (one whose password cannot be read is Broken with why, one whose last
 * LRS call met the LRS's maintenance page is Paused, with why, until the pause runs out), the running
 * processes from their heartbeats, and charts over a chosen range (1 h, 6 h, 24 h, 7 d) that share one
 * time axis, with buckets that fit the range, whole-number y ticks for small counts, and their figures as
 * a table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createLogger } from '../../src/log.ts';
import { createOrganisationDirectory } from '../../src/orgs/directory.ts';
import { readRoleReport } from '../../src/processes/heartbeat.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { addStaff } from '../../src/support/staff.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { createTestClient, type TestClient } from '../e2e/http-client.ts';
import { PASSWORD, seedSupportData, TEST_SCRYPT_COST } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('dashboard overview', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  /** root: admin, every organisation; carol: the chart organisation only. */
  let root: TestClient;
  let carol: TestClient;
  const ids = { chart: 0, paused: 0, resumed: 0, broken: 0 };
  let base: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-overview-test' });
    const pool = database.pool;
    await seedSupportData(pool);
    const org = async (name: string, ukprn: string, passwordVar: string) =>
      (
        await pool.query<{ id: number }>(
          `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
           values ($1, $2, $3::jsonb, 'nightly') returning id`,
          [name, ukprn, JSON.stringify({ kind: 'env', name: passwordVar })],
        )
      ).rows[0]!.id;
    ids.chart = await org('Chart College', '10000011', 'A');
    ids.paused = await org('Paused College', '10000012', 'A');
    ids.resumed = await org('Resumed College', '10000013', 'A');
    ids.broken = await org('Broken College', '10000014', 'NOBODY_SET_THIS_PW');

    const call = (orgId: number, code: string, ago: string, ms = 250) =>
      pool.query(
        `insert into lrs.audit (organisation_id, user_name, operation, code, code_source, http_status, duration_ms, attempt, created_at)
         values ($1, 'nightly', 'learnerByULN', $2, 'lrs', 200, $3, 1, now() - $4::interval)`,
        [orgId, code, ms, ago],
      );
    // Paused: its last call a minute ago met the LRS's maintenance page. Resumed: that was 20 minutes ago
    // (the pause lasts 5), and nothing has been sent since.
    await call(ids.paused, 'WSRC0004', '2 hours');
    await call(ids.paused, 'LRS_MAINTENANCE', '1 minute');
    await call(ids.resumed, 'LRS_MAINTENANCE', '20 minutes');

    // The chart organisation's work: 3 succeeded 30 minutes ago, 2 three hours ago, 1 three days ago; one
    // failed (an exception, finished too) 5 hours ago and one 3 days ago; LRS calls 30 minutes and 3 hours ago.
    const finished = (status: string, ago: string, n = 1) =>
      pool.query(
        `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, created_at, completed_at)
         select $1, 'mis.user', 'find_by_uln', 'C' || i, '{}', $2, $3, now() - $4::interval, now() - $4::interval
           from generate_series(1, $5) i`,
        [ids.chart, status, status === 'succeeded' ? 'WSRC0004' : 'TIMEOUT', ago, n],
      );
    await finished('succeeded', '30 minutes', 3);
    await finished('succeeded', '3 hours', 2);
    await finished('succeeded', '3 days', 1);
    await finished('failed', '5 hours');
    await finished('failed', '3 days');
    await call(ids.chart, 'WSRC0004', '30 minutes', 250);
    await call(ids.chart, 'WSRC0004', '3 hours', 120);

    // Two live processes and one that stopped: the scheduler role is missing.
    await pool.query(
      `insert into lrs.process (id, roles, host, pid, version) values
         ('worker@relay-1:101', '{worker}', 'relay-1', 101, '1.2.3'),
         ('producer@relay-1:102', '{producer,dashboard}', 'relay-1', 102, '1.2.3')`,
    );
    await pool.query(
      `insert into lrs.process (id, roles, host, pid, version, stopped_at)
       values ('scheduler@relay-2:103', '{scheduler}', 'relay-2', 103, '1.2.3', now())`,
    );

    await addStaff(database, {
      username: 'carol',
      password: PASSWORD,
      organisationIds: [ids.chart],
      cost: TEST_SCRYPT_COST,
    });
    const directory = createOrganisationDirectory({
      db: database.db,
      config: { SECRETS_KEY: undefined, CERT_EXPIRY_WARNING_DAYS: 30 },
      log: createLogger({ level: 'silent' }),
      env: { A: 'Simulator-Pass16', B: 'Simulator-Pass16' },
    });
    const required = ['producer', 'worker', 'scheduler', 'dashboard'] as const;
    ({ dashboard, url: base } = await startTestDashboard({
      db: database,
      checkOrganisation: (id) => directory.get(id),
      processes: { required, report: () => readRoleReport(pool, required) },
    }));
    root = createTestClient(base);
    carol = createTestClient(base);
    expect((await root.logIn('root', PASSWORD)).status).toBe(303);
    expect((await carol.logIn('carol', PASSWORD)).status).toBe(303);
  });
  afterAll(async () => {
    await dashboard?.close();
    await database?.close();
    await tdb?.drop();
  });

  const healthOf = (page: string, id: number) => {
    const m = new RegExp(`<li data-organisation="${id}" data-state="([a-z_]+)">([\\s\\S]*?)</li>`).exec(page);
    expect(m, `health line of organisation ${id}`).not.toBeNull();
    return { state: m![1], text: m![2]! };
  };

  it('gives each organisation a health line: can send, paused for LRS maintenance, or broken, with why', async () => {
    const page = await (await root.get('/')).text();
    const broken = healthOf(page, ids.broken);
    expect(broken.state).toBe('broken');
    expect(broken.text).toContain('>Broken</span>');
    expect(broken.text).toContain('NOBODY_SET_THIS_PW');
    const paused = healthOf(page, ids.paused);
    expect(paused.state).toBe('paused');
    expect(paused.text).toContain('Paused: LRS maintenance');
    expect(paused.text).toMatch(/The LRS is down for maintenance \(LRS_MAINTENANCE at \d\d:\d\d UTC\)/);
    expect(paused.text).toMatch(/tried again by itself in about [1-5] minutes?/);
    // The pause has run out: the next call will tell, and until then it can send.
    expect(healthOf(page, ids.resumed).state).toBe('can_send');
    expect(healthOf(page, ids.chart).state).toBe('can_send');
    // Staff see their own organisations' lines only.
    const own = await (await carol.get('/')).text();
    expect(healthOf(own, ids.chart).state).toBe('can_send');
    expect(own).not.toContain(`data-organisation="${ids.broken}"`);
    expect(own).not.toContain('Paused College');
  });

  it('lists the running processes from their heartbeats and names a role none of them runs', async () => {
    const page = await (await root.get('/')).text();
    const table = /<table[^>]*class="processes"[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
    expect(table).toContain('<td>worker</td><td>relay-1</td><td class="num">101</td><td>1.2.3</td>');
    expect(table).toContain('<td>producer, dashboard</td><td>relay-1</td><td class="num">102</td>');
    expect(table).not.toContain('103');
    expect(page).toMatch(/<p class="error" role="alert" id="roles">Missing: scheduler /);
    // Hosts and process ids are for administrators.
    const own = await (await carol.get('/')).text();
    expect(own).toContain('<td>producer, dashboard</td><td>1.2.3</td>');
    expect(own).not.toContain('relay-1');
  });

  /** The page's charts: each one's buckets, x-axis tick labels, y-axis tick labels and bar/point titles. */
  const chartsOf = (page: string) =>
    [...page.matchAll(/<svg class="chart"[\s\S]*?<\/svg>/g)].map(([svg]) => ({
      title: /<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? '',
      buckets: Number(/data-buckets="(\d+)"/.exec(svg)?.[1]),
      bucketS: Number(/data-bucket-seconds="(\d+)"/.exec(svg)?.[1]),
      xTicks: [...svg.matchAll(/class="x-tick"[^>]*>([^<]*)</g)].map((m) => m[1]!),
      yTicks: [...svg.matchAll(/class="y-tick"[^>]*>([^<]*)</g)].map((m) => m[1]!),
      barTotal: [...svg.matchAll(/<rect [^>]*><title>[^<]*: (\d+)<\/title>/g)].reduce(
        (t, m) => t + Number(m[1]),
        0,
      ),
    }));

  it.each([
    ['1h', 60, 60, 3, /^\d\d:\d0$/],
    ['6h', 72, 300, 6, /^\d\d:00$/],
    ['24h', 72, 1200, 6, /^(00|03|06|09|12|15|18|21):00$/],
    ['7d', 84, 7200, 8, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}$/],
  ] as const)(
    '%s range: buckets that fit the range, one x axis shared by every chart, the finished work counted',
    async (range, buckets, bucketS, finished, tickLabel) => {
      const res = await carol.get(`/?range=${range}`);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain(`<a href="/?range=${range}" aria-current="page" class="current">`);
      const charts = chartsOf(page);
      expect(charts.map((c) => c.title)).toEqual([
        expect.stringMatching(/^Requests finished per/),
        expect.stringMatching(/^LRS call time/),
        expect.stringMatching(/^Open exceptions/),
      ]);
      for (const c of charts) {
        expect(c.buckets, c.title).toBe(buckets);
        expect(c.bucketS, c.title).toBe(bucketS);
        expect(c.xTicks, c.title).toEqual(charts[0]!.xTicks);
      }
      expect(charts[0]!.xTicks.length).toBeGreaterThanOrEqual(6);
      expect(charts[0]!.xTicks.length).toBeLessThanOrEqual(9);
      for (const t of charts[0]!.xTicks) expect(t).toMatch(tickLabel);
      expect(charts[0]!.barTotal).toBe(finished);
      // Its text equivalent says the same.
      expect(page).toContain(`<desc>${finished} finished in the last`);
      expect(page).toContain('Requests finished per');
      expect(page).toMatch(
        /<details class="chart-table"><summary>Requests finished per [^<]*: the figures as a table<\/summary>/,
      );
    },
  );

  it('puts small counts on small whole-number ticks, and milliseconds on round ones', async () => {
    const [finished, latency, open] = chartsOf(await (await carol.get('/?range=1h')).text());
    expect(finished!.yTicks).toEqual(['0', '1', '2', '3']);
    expect(latency!.yTicks).toEqual(['0 ms', '100 ms', '200 ms', '300 ms']);
    // Both exceptions opened before the hour began: two open all along.
    expect(open!.yTicks).toEqual(['0', '1', '2']);
    // A week: 3 succeeded in one bucket is still the most; the two exceptions opened within it.
    const week = chartsOf(await (await carol.get('/?range=7d')).text());
    expect(week[0]!.yTicks).toEqual(['0', '1', '2', '3']);
    expect(week[2]!.yTicks).toEqual(['0', '1', '2']);
  });

  it('counts an exception as open from when it opened until it was retried, not only those open now', async () => {
    const pool = database.pool;
    const org = (
      await pool.query<{ id: number }>(
        `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
         values ('History College', '10000015', '{"kind":"env","name":"A"}', 'nightly') returning id`,
      )
    ).rows[0]!.id;
    await addStaff(database, {
      username: 'hilda',
      password: PASSWORD,
      organisationIds: [org],
      cost: TEST_SCRYPT_COST,
    });
    const hilda = createTestClient(base);
    expect((await hilda.logIn('hilda', PASSWORD)).status).toBe(303);
    // A call that timed out 5 hours ago: an exception from then.
    const id = (
      await pool.query<{ id: string }>(
        `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, created_at, completed_at)
         values ($1, 'mis.user', 'find_by_uln', 'H1', '{}', 'failed', 'TIMEOUT', now() - interval '5 hours', now() - interval '5 hours')
         returning id`,
        [org],
      )
    ).rows[0]!.id;
    // Retried from the dashboard: no longer an exception.
    const retried = await hilda.post(`/requests/${id}/retry`, { _csrf: await hilda.csrf() });
    expect(retried.status).toBe(303);
    const spans = await pool.query<{ status: string; code: string; openedH: number; isClosed: boolean }>(
      `select status, code, round(extract(epoch from now() - opened_at) / 3600)::int as "openedH",
              closed_at is not null as "isClosed"
         from lrs.exception_span where request_id = $1`,
      [id],
    );
    expect(spans.rows).toEqual([{ status: 'failed', code: 'TIMEOUT', openedH: 5, isClosed: true }]);
    // As if the retry had been 2 hours ago.
    await pool.query(
      `update lrs.exception_span set closed_at = now() - interval '2 hours' where request_id = $1`,
      [id],
    );
    const page = await (await hilda.get('/?range=6h')).text();
    const open = chartsOf(page).find((c) => c.title.startsWith('Open exceptions'));
    // One open from 5 hours ago to 2 hours ago, none now and none at the start of the range.
    expect(open?.title).toMatch(/^Open exceptions/);
    expect(open?.yTicks).toEqual(['0', '1']);
    expect(page).toContain('Open now: Failed 0; at the start of the range: Failed 0.');
    // Its figures, where they change: 0 at the start, 1 from 5 hours ago, 0 again from 2 hours ago, 0 now.
    const table =
      /<summary>Open exceptions: the figures as a table<\/summary>[\s\S]*?<\/details>/.exec(page)?.[0] ?? '';
    const figures = [...table.matchAll(/<tr><th scope="row">([^<]*)<\/th><td class="num">(\d+)<\/td>/g)];
    expect(figures.map((m) => Number(m[2]))).toEqual([0, 1, 0, 0]);
  });

  it('ignores a range it does not know and shows the last 24 hours, echoing nothing', async () => {
    const res = await carol.get('/?range=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toContain('alert(1)');
    expect(chartsOf(page)[0]!.bucketS).toBe(1200);
    expect(page).not.toContain('<script');
  });

  it('shows a sparkline of each exception group on the exceptions page, with its figures in words', async () => {
    const page = await (await carol.get('/exceptions')).text();
    const group =
      /<section class="exception"[^>]*data-code="TIMEOUT" data-status="failed">[\s\S]*?<\/section>/.exec(
        page,
      )?.[0] ?? '';
    expect(group).toContain('<svg class="sparkline" role="img"');
    expect(group).toContain('<title>TIMEOUT, Failed, open over the last 7 days: 0 7 days ago, 2 now</title>');
    expect(group).toContain('0 7 days ago → 2 now');
  });
});
