/**
 * The dashboard's learner page over HTTP: one learner's requests with their codes explained, ULNs,
 * candidates, audited calls and learning events; the same not-found answer for a learner of an
 * organisation the staff member may not see as for one that does not exist; escaping; the lookup form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { escapeHtml } from '../../src/support/html.ts';
import { createTestClient, type TestClient } from '../e2e/http-client.ts';
import { CANDIDATES, LEARNER, PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const HOSTILE_ID = `STU-<b>"&'x`;
const HOSTILE_NAME = '<script>alert(1)</script>';

describe('support dashboard learner page', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let base: string;
  let s: Seeded;
  let alice: TestClient;
  let bob: TestClient;
  const ids = { find: 0, register: 0, events: 0, unknown: 0 };
  const href = (org: number, id: string) => `/learner?org=${org}&id=${encodeURIComponent(id)}`;

  async function insertRequest(o: {
    kind: string;
    status: string;
    code: string | null;
    misId?: string;
    payload?: object;
    attempts?: number;
  }): Promise<number> {
    const r = await database.pool.query<{ id: number }>(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, attempts, completed_at)
       values ($1, 'mis.user', $2, $3, $4::jsonb, $5, $6, $7, case when $5 = 'pending' then null else now() end) returning id`,
      [
        s.orgA,
        o.kind,
        o.misId ?? 'STU-HIST',
        JSON.stringify(o.payload ?? LEARNER),
        o.status,
        o.code,
        o.attempts ?? 1,
      ],
    );
    return r.rows[0]!.id;
  }
  async function insertOutcome(
    id: number,
    o: {
      code: string;
      cls: string;
      uln?: string;
      masterUln?: string;
      linkedUlns?: string[];
      candidates?: object[];
    },
  ) {
    await database.pool.query(
      `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, master_uln, linked_ulns, candidates)
       values ($1, $2, $3, 'lrs', $4, $5, $6, $7, $8::jsonb)`,
      [
        id,
        s.orgA,
        o.code,
        o.cls,
        o.uln ?? null,
        o.masterUln ?? null,
        o.linkedUlns ?? null,
        o.candidates ? JSON.stringify(o.candidates) : null,
      ],
    );
  }
  async function insertAudit(
    id: number,
    o: { operation: string; code: string; user: string; ms: number; attempt?: number },
  ) {
    await database.pool.query(
      `insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, http_status, duration_ms, attempt)
       values ($1, $2, $3, $4, $5, 'lrs', 200, $6, $7)`,
      [s.orgA, id, o.user, o.operation, o.code, o.ms, o.attempt ?? 1],
    );
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-learner-test' });
    s = await seedSupportData(database.pool);
    // STU-HIST of org A: a possible match, then a registration, then a learning-events read, then a code
    // the catalogue does not know (oldest first, so the last is the current state).
    ids.find = await insertRequest({
      kind: 'find_by_demographics',
      status: 'needs_action',
      code: 'WSRC0003',
    });
    await insertOutcome(ids.find, { code: 'WSRC0003', cls: 'needs_action', candidates: CANDIDATES });
    await insertAudit(ids.find, {
      operation: 'learnerByDemographics',
      code: 'WSRC0003',
      user: 'mis.user',
      ms: 321,
    });
    ids.register = await insertRequest({
      kind: 'register',
      status: 'succeeded',
      code: 'WSRC0004',
      attempts: 2,
    });
    await insertOutcome(ids.register, {
      code: 'WSRC0004',
      cls: 'success',
      uln: '1000000042',
      masterUln: '1000000043',
      linkedUlns: ['1000000044'],
    });
    await insertAudit(ids.register, {
      operation: 'registerSingleLearner',
      code: 'WSRC0004',
      user: 'j.smith',
      ms: 654,
      attempt: 2,
    });
    ids.events = await insertRequest({
      kind: 'learning_events',
      status: 'succeeded',
      code: 'WSRC0004',
      payload: { uln: '1000000043', givenName: 'Ann', familyName: 'Lee' },
    });
    await insertOutcome(ids.events, { code: 'WSRC0004', cls: 'success', uln: '1000000043' });
    for (const n of [1, 2, 3])
      await database.pool.query(
        `insert into lrs.learning_event (request_id, organisation_id, mis_learner_id, uln, event) values ($1, $2, 'STU-HIST', '1000000043', $3::jsonb)`,
        [ids.events, s.orgA, JSON.stringify({ id: n })],
      );
    ids.unknown = await insertRequest({ kind: 'verify', status: 'failed', code: 'WSRC9876' });
    await insertRequest({
      kind: 'find_by_demographics',
      status: 'succeeded',
      code: 'WSRC0004',
      misId: HOSTILE_ID,
      payload: { ...LEARNER, givenName: HOSTILE_NAME },
    });

    ({ dashboard, url: base } = await startTestDashboard({
      db: database,
      config: { QUEUE_PREFIX: 'learner-test' },
    }));
    alice = createTestClient(base);
    expect((await alice.logIn('alice', PASSWORD)).status).toBe(303);
    bob = createTestClient(base);
    expect((await bob.logIn('bob', PASSWORD)).status).toBe(303);
  });

  afterAll(async () => {
    await dashboard?.close();
    await database?.close();
    await tdb?.drop();
  });

  it("shows a learner's requests newest first with codes explained, ULNs, candidates, audit and learning events", async () => {
    const res = await alice.get(href(s.orgA, 'STU-HIST'));
    expect(res.status).toBe(200);
    const page = await res.text();
    const codes = await database.pool.query<{ code: string; meaning: string; resolution: string }>(
      `select code, meaning, resolution from lrs.response_code where code in ('WSRC0003', 'WSRC0004')`,
    );
    expect(codes.rows).toHaveLength(2);
    for (const c of codes.rows) {
      expect(page).toContain(escapeHtml(c.meaning));
      expect(page).toContain(escapeHtml(c.resolution));
    }
    expect(page).toContain('<h1>Learner STU-HIST</h1>');
    expect(page).toContain('10000001 Alpha College');
    expect(page).toContain('Ann Lee');

    // Newest first, and only this learner's requests.
    const order = [...page.matchAll(/<tr data-request="(\d+)">/g)].map((m) => Number(m[1]));
    expect(order).toEqual([ids.unknown, ids.events, ids.register, ids.find]);
    const row = (id: number) => page.slice(page.indexOf(`<tr data-request="${id}">`)).split('</tr>')[0]!;
    expect(row(ids.unknown)).toContain(
      '<code>WSRC9876</code> <span class="muted">(not in the catalogue)</span>',
    );
    expect(row(ids.register)).toMatch(/<td class="num">2<\/td>/);
    expect(row(ids.register)).toContain(
      '1000000042<br><span class="muted">master</span> 1000000043<br><span class="muted">linked</span> 1000000044',
    );
    // Candidates of the possible match that still needs action, with the way to resolve it.
    const candidates = page.slice(page.indexOf('<tr class="candidates">')).split('</tr>')[0]!;
    expect(candidates).toContain('2 candidates');
    expect(candidates).toContain(`${CANDIDATES[1]!.uln} · Anne Lee · 2005-02-01 · CV4 9EE`);
    expect(candidates).toContain(`href="/requests/${ids.find}#possible-match"`);

    // The current state: the latest request, and the ULN from the newest successful one (its master ULN).
    const state = page.slice(page.indexOf('class="state">')).split('</table>')[0]!;
    expect(state).toContain('<tr><th>ULN</th><td>1000000043</td></tr>');
    expect(state).toContain(`<a href="/requests/${ids.unknown}">${ids.unknown}</a> Verify`);
    expect(state).toContain('<td class="learning-events">3</td>');

    // Audited calls of these requests only, newest first.
    const audit = page.slice(page.indexOf('class="learner-audit">')).split('</table>')[0]!;
    const calls = [...audit.matchAll(/<td>(learnerByDemographics|registerSingleLearner)<\/td>/g)].map(
      (m) => m[1],
    );
    expect(calls).toEqual(['registerSingleLearner', 'learnerByDemographics']);
    expect(audit).toMatch(
      /registerSingleLearner<\/td><td>2<\/td>\s*<td><code>WSRC0004<\/code>.*<td class="num">654<\/td><td>j\.smith<\/td>/s,
    );
    expect(audit).toContain('<td class="num">321</td><td>mis.user</td>');
    expect(page).not.toContain('STU-POSSIBLE');
  });

  it('answers a learner of another organisation exactly like one that does not exist', async () => {
    const elsewhere = await bob.get(href(s.orgA, 'STU-HIST'));
    const nobody = await bob.get(href(s.orgA, 'STU-NOBODY'));
    expect(elsewhere.status).toBe(404);
    expect(nobody.status).toBe(404);
    const text = await elsewhere.text();
    // The same page but for the id typed, which the form gives back.
    expect(text.replace('value="STU-HIST"', 'value="?"')).toBe(
      (await nobody.text()).replace('value="STU-NOBODY"', 'value="?"'),
    );
    expect(text).toContain('No such learner among your organisations.');
    expect(text).not.toContain('Alpha College');
    // Bob's own learner is found; org A's is not found under org B either.
    expect((await bob.get(href(s.orgB, 'STU-B-POSSIBLE'))).status).toBe(200);
    expect((await bob.get(href(s.orgB, 'STU-HIST'))).status).toBe(404);
    // The page looks up MIS learner ids only (the CLI also takes a ULN).
    expect((await alice.get(href(s.orgA, '1000000043'))).status).toBe(404);
    // Admins see org A's requests but not its learners' personal data: no learner page either.
    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const admin = await root.get(href(s.orgA, 'STU-HIST'));
    expect(admin.status).toBe(404);
    expect(await admin.text()).not.toContain('1000000043');
    expect((await createTestClient(base).get(href(s.orgA, 'STU-HIST'))).status).toBe(303);
  });

  it('escapes HTML metacharacters in the learner id and name', async () => {
    const res = await alice.get(href(s.orgA, HOSTILE_ID));
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`<h1>Learner ${escapeHtml(HOSTILE_ID)}</h1>`);
    expect(page).toContain(escapeHtml(HOSTILE_NAME));
    expect(page).not.toContain('<b>');
    expect(page).not.toContain('<script>');
    // The links to it from the request list carry it encoded, never raw.
    const list = await (await alice.get('/requests')).text();
    expect(list).toContain(`href="${escapeHtml(href(s.orgA, HOSTILE_ID))}"`);
    expect(list).not.toContain('<b>');
  });

  it('finds a learner by ULN alone, in any of the staff member’s organisations, and nowhere else', async () => {
    // The ULN the LRS gave STU-HIST's registration (an outcome), its master ULN, and the MIS id alone.
    for (const key of ['1000000042', '1000000043', 'STU-HIST']) {
      const r = await alice.get(`/learner?${new URLSearchParams({ org: '', id: key }).toString()}`);
      expect(r.status, key).toBe(303);
      expect(r.headers.get('location')).toBe(href(s.orgA, 'STU-HIST'));
    }
    // Bob works for organisation B: the same ULN finds nothing, exactly like a ULN nobody has.
    for (const key of ['1000000042', '9999999999']) {
      const r = await bob.get(`/learner?${new URLSearchParams({ org: '', id: key }).toString()}`);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain('No such learner among your organisations.');
    }
  });

  it('links to the learner from request lists and request pages, and the lookup form finds them', async () => {
    expect(await (await alice.get('/requests')).text()).toContain(
      `href="${escapeHtml(href(s.orgA, 'STU-HIST'))}"`,
    );
    expect(await (await alice.get(`/requests/${ids.register}`)).text()).toContain(
      `href="${escapeHtml(href(s.orgA, 'STU-HIST'))}"`,
    );

    const lookup = await alice.get('/learner');
    expect(lookup.status).toBe(200);
    const form = (await lookup.text()).match(/<form method="get" action="(\/learner)"[\s\S]*?<\/form>/);
    expect(form).not.toBeNull();
    // Only alice's organisation is offered; the form's own field names make the query.
    const options = [...form![0].matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(options).toEqual([s.orgA]);
    expect(form![0]).toMatch(/<select name="org"/);
    expect(form![0]).toMatch(/<input name="id"/);
    const query = new URLSearchParams({ org: String(options[0]), id: 'STU-OK' }).toString();
    const found = await alice.get(`${form![1]}?${query}`);
    expect(found.status).toBe(200);
    const page = await found.text();
    expect(page).toContain('<h1>Learner STU-OK</h1>');
    expect(page).toContain(`<a href="/requests/${s.succeeded}">${s.succeeded}</a>`);

    const missing = await alice.get(
      `/learner?${new URLSearchParams({ org: String(s.orgA), id: 'STU-NOBODY' }).toString()}`,
    );
    expect(missing.status).toBe(404);
    const text = await missing.text();
    expect(text).toContain('No such learner among your organisations.');
    // The form comes back filled in, to correct a typo.
    expect(text).toContain('<input name="id" value="STU-NOBODY"');
    expect(text).toContain(`<option value="${s.orgA}" selected>`);
  });
});
