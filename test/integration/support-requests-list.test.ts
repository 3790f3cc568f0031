/**
 * The dashboard's requests list over HTTP as a support officer walks it: pages of 50 by keyset, forwards
 * and back without a gap or a repeat, both sort orders, the age filter, and the learner search (ULN, MIS
 * id, name) only for staff who may see the organisation's personal data, with names and code meanings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { createTestClient, type TestClient } from '../e2e/http-client.ts';
import { PASSWORD, seedSupportData, TEST_SCRYPT_COST, type Seeded } from '../e2e/seed.ts';
import { addStaff } from '../../src/support/staff.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const EXTRA = 120;

describe('support dashboard requests list', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let base: string;
  let s: Seeded;
  let alice: TestClient;
  let root: TestClient;
  let allA: number[];

  const idsOn = (page: string) => [...page.matchAll(/<tr data-request="(\d+)">/g)].map((m) => Number(m[1]));
  const link = (page: string, rel: 'next' | 'prev') => {
    const m = new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(page);
    return m ? m[1]!.replaceAll('&amp;', '&') : null;
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-requests-list-test' });
    s = await seedSupportData(database.pool);
    // 120 more of org A: every tenth created two days ago; names Learner0…Learner119.
    await database.pool.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, created_at, completed_at)
       select $1, 'mis.user', 'find_by_uln', 'STU-' || i,
              jsonb_build_object('uln', (2000000000 + i)::text, 'givenName', 'Learner' || i, 'familyName', 'Smith'),
              'succeeded', 'WSRC0004', now() - case when i % 10 = 0 then interval '2 days' else interval '0' end, now()
         from generate_series(0, $2 - 1) i`,
      [s.orgA, EXTRA],
    );
    const ids = await database.pool.query<{ id: number }>(
      'select id from lrs.request where organisation_id = $1 order by id desc',
      [s.orgA],
    );
    allA = ids.rows.map((r) => Number(r.id));
    ({ dashboard, url: base } = await startTestDashboard({ db: database }));
    alice = createTestClient(base);
    root = createTestClient(base);
    expect((await alice.logIn('alice', PASSWORD)).status).toBe(303);
    expect((await root.logIn('root', PASSWORD)).status).toBe(303);
  });
  afterAll(async () => {
    await dashboard?.close();
    await database?.close();
    await tdb?.drop();
  });

  it('pages through every request once, newest first, and back again', async () => {
    const seen: number[] = [];
    const pages: string[] = [];
    let next: string | null = '/requests';
    while (next !== null) {
      const page = await (await alice.get(next)).text();
      pages.push(next);
      const ids = idsOn(page);
      expect(ids.length).toBeLessThanOrEqual(50);
      seen.push(...ids);
      next = link(page, 'next');
      expect(pages.length).toBeLessThan(10);
    }
    expect(pages.length).toBe(Math.ceil(allA.length / 50));
    expect(seen).toEqual(allA);
    // Back from the last page: the page before it again, the same rows in the same order.
    const last = await (await alice.get(pages.at(-1)!)).text();
    const back = await (await alice.get(link(last, 'prev')!)).text();
    expect(idsOn(back)).toEqual(allA.slice(50, 100));
    const first = await (await alice.get(link(back, 'prev')!)).text();
    expect(idsOn(first)).toEqual(allA.slice(0, 50));
    expect(link(first, 'prev')).toBeNull();
  });

  it('sorts oldest first, filters by age and status, and says what each code means', async () => {
    const oldest = await (await alice.get('/requests?order=oldest')).text();
    expect(idsOn(oldest)).toEqual([...allA].reverse().slice(0, 50));
    const old = await (await alice.get('/requests?age=24h')).text();
    expect(idsOn(old)).toHaveLength(EXTRA / 10);
    const failed = await (await alice.get('/requests?status=failed')).text();
    expect(idsOn(failed)).toEqual([s.failed]);
    expect(failed).toContain('>Failed</span>');
    const page = await (await alice.get(`/requests?status=needs_action&code=WSRC0002`)).text();
    expect(page).toContain('Too many matches');
    expect(page).toContain('Find by details');
  });

  it('finds a learner by ULN, MIS id or name, and shows the name, for staff who may see them', async () => {
    const byUln = await (await alice.get('/requests?q=2000000007')).text();
    expect(idsOn(byUln)).toHaveLength(1);
    expect(byUln).toContain('Learner7 Smith');
    // The ULN the LRS gave (outcome), not only the one the MIS sent.
    expect(idsOn(await (await alice.get('/requests?q=1000000003')).text())).toEqual([s.succeeded]);
    expect(idsOn(await (await alice.get('/requests?q=STU-FAILED')).text())).toEqual([s.failed]);
    const byName = await (await alice.get('/requests?q=learner11')).text();
    expect(idsOn(byName).length).toBe(11); // Learner11 and Learner110–119
    // "%" and "_" are letters in a name search, not wildcards.
    expect(idsOn(await (await alice.get('/requests?q=%25')).text())).toEqual([]);
    expect(idsOn(await (await alice.get('/requests?q=Learner_')).text())).toEqual([]);
  });

  it('an admin without the personal-data grant gets no search and no names', async () => {
    const page = await (await root.get('/requests?q=2000000007')).text();
    expect(page).not.toContain('name="q"');
    expect(page).not.toContain('Learner7');
    expect(idsOn(page).length).toBe(50); // the search was ignored, not applied
    const api = (await (
      await root.get('/api/requests?q=2000000007', { accept: 'application/json' })
    ).json()) as {
      learnerName: string | null;
    }[];
    expect(api.length).toBeGreaterThan(1);
    expect(api.every((r) => r.learnerName === null)).toBe(true);
  });

  it("an admin granted one organisation's personal data finds learners of that organisation only", async () => {
    await addStaff(database, {
      username: 'ada',
      password: PASSWORD,
      isAdmin: true,
      organisationIds: [s.orgA],
      cost: TEST_SCRYPT_COST,
    });
    const ada = createTestClient(base);
    expect((await ada.logIn('ada', PASSWORD)).status).toBe(303);
    // She sees the other organisation's requests (an admin sees every organisation's codes)…
    expect(idsOn(await (await ada.get('/requests?status=failed')).text())).toEqual([s.otherFailed, s.failed]);
    // …but a search by a learner's details finds only her own organisation's learners.
    expect(idsOn(await (await ada.get('/requests?q=STU-FAILED')).text())).toEqual([s.failed]);
    expect(idsOn(await (await ada.get('/requests?q=STU-B-FAILED')).text())).toEqual([]);
    const api = (await (
      await ada.get('/api/requests?q=STU-B-FAILED', { accept: 'application/json' })
    ).json()) as unknown[];
    expect(api).toEqual([]);
  });
});
