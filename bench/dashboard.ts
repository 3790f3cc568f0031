/**
 * Dashboard: how long one page of the requests list takes with a table of N requests, walked from
 * the first page to the last by its "Older" links (keyset paging), and for the filters and searches a
 * support officer uses. Each figure is the whole HTTP round trip of a logged-in staff member: session
 * check, the queries and the rendered page.
 *
 *   npm run bench -- dashboard [-- --requests 10000]
 */
import { parseArgs } from 'node:util';
import { createDatabase } from '../src/db/pool.ts';
import { addStaff } from '../src/support/staff.ts';
import { startTestDashboard } from '../test/helpers/dashboard.ts';
import { createTestClient } from '../test/e2e/http-client.ts';
import { createBenchDatabase } from './lib/harness.ts';

const PASSWORD = 'Dashboard-Bench-1';

function summary(ms: number[]): { pages: number; p50Ms: number; p95Ms: number; maxMs: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { pages: ms.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { requests: { type: 'string' } } });
  const requests = Number(values.requests ?? 10_000);
  const bench = await createBenchDatabase('redis');
  const db = createDatabase({ url: bench.url, applicationName: 'bench-dashboard' });
  let dashboard: Awaited<ReturnType<typeof startTestDashboard>>['dashboard'] | undefined;
  try {
    const org = await db.pool.query<{ id: number }>(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Bench College', '10000001', '{"kind":"env","name":"A"}', 'nightly') returning id`,
    );
    const orgId = org.rows[0]!.id;
    // A day's worth of a college's work: mostly succeeded, some needing action or failed, a few open.
    await db.pool.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, created_at, completed_at)
       select $1, 'mis.user', (array['find_by_demographics','register','verify','learning_events'])[1 + i % 4], 'STU' || i,
              jsonb_build_object('uln', (2000000000 + i)::text, 'givenName', 'Given' || i, 'familyName', 'Family' || (i % 500),
                                 'dateOfBirth', '2005-01-02', 'gender', '2', 'lastKnownPostCode', 'CV4 9EE'),
              s.status, s.code, now() - (i || ' seconds')::interval,
              case when s.status in ('pending') then null else now() end
         from generate_series(1, $2) i,
              lateral (select case when i % 50 = 0 then 'failed' when i % 10 = 0 then 'needs_action'
                                   when i % 97 = 0 then 'pending' else 'succeeded' end as status) st,
              lateral (select st.status,
                              case st.status when 'failed' then 'TIMEOUT' when 'needs_action' then 'WSRC0003'
                                             when 'succeeded' then 'WSRC0004' end as code) s`,
      [orgId, requests],
    );
    await db.pool.query(
      `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln)
       select id, organisation_id, last_code, 'lrs', 'success', (3000000000 + id)::text from lrs.request where status = 'succeeded'`,
    );
    await db.pool.query('analyze lrs.request; analyze lrs.outcome');
    await addStaff(db, { username: 'bench', password: PASSWORD, organisationIds: [orgId], cost: 1024 });
    const started = await startTestDashboard({ db, loginDelayBaseMs: 0 });
    dashboard = started.dashboard;
    const client = createTestClient(started.url);
    if ((await client.logIn('bench', PASSWORD)).status !== 303) throw new Error('bench login failed');

    const timed = async (path: string): Promise<{ ms: number; page: string }> => {
      const t = performance.now();
      const res = await client.get(path);
      const page = await res.text();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      return { ms, page };
    };
    // Warm-up: plans cached, pool connected.
    for (let i = 0; i < 5; i++) await timed('/requests');

    const walk: number[] = [];
    let next: string | null = '/requests';
    let rows = 0;
    while (next !== null) {
      const { ms, page } = await timed(next);
      walk.push(ms);
      rows += [...page.matchAll(/<tr data-request=/g)].length;
      const m = /<a rel="next" href="([^"]+)"/.exec(page);
      next = m ? m[1]!.replaceAll('&amp;', '&') : null;
    }
    if (rows !== requests) throw new Error(`walked ${rows} rows of ${requests}`);

    const repeat = async (path: string, n = 20) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) ms.push((await timed(path)).ms);
      return summary(ms);
    };
    return {
      benchmark: 'dashboard',
      requests,
      pageSize: 50,
      walkAllPages: summary(walk),
      firstPage: await repeat('/requests'),
      deepestPage: await repeat('/requests?after=51'),
      byStatus: await repeat('/requests?status=failed'),
      byAge: await repeat('/requests?age=1h'),
      searchUln: await repeat(`/requests?q=${2000000000 + Math.floor(requests / 2)}`),
      searchIssuedUln: await repeat(`/requests?q=${3000000000 + 7}`),
      searchName: await repeat(`/requests?q=Given${Math.floor(requests / 3)}`),
    };
  } finally {
    await dashboard?.close();
    await db.close();
    await bench.drop();
  }
}
