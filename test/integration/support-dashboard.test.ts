/**
 * Dashboard security: no page or API without a session, no view of or action on another
 * organisation's requests by any URL, no form post without the session's CSRF token, and bull-board
 * read-only for non-admins (login throttling: support-login.test.ts).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { QueueBackendKind } from '../../src/queues/catalogue.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { createTestClient, extractCsrf } from '../e2e/http-client.ts';
import { PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { assertNoRedisLeaks, createQueuePrefix } from '../helpers/redis.ts';
import { createTestQueueConnection } from '../helpers/queues.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

/** A migrated database with the support seed, a queue store of the backend, and a dashboard on them. */
async function openSeededDashboard(backend: QueueBackendKind, prefix: string) {
  const tdb = await createTestDatabase();
  const database = createDatabase({ url: tdb.url, applicationName: `support-dashboard-${backend}-test` });
  const queueConnection = createTestQueueConnection({ backend, prefix, databaseUrl: tdb.url });
  const s = await seedSupportData(database.pool);
  const { dashboard, url: base } = await startTestDashboard({
    db: database,
    queueConnection,
    config: { METRICS_TOKEN, QUEUE_PREFIX: prefix },
    loginDelayBaseMs: 40,
  });
  return { tdb, database, queueConnection, s, dashboard, base };
}

async function closeSeededDashboard(
  o: Partial<Awaited<ReturnType<typeof openSeededDashboard>>> | undefined,
): Promise<void> {
  await o?.dashboard?.close();
  await o?.queueConnection?.close();
  await o?.database?.close();
  await o?.tdb?.drop();
}

const QUEUES_PAGE_TEST =
  '/queues is our page: each queue with its organisation, jobs by state, paused or not, the oldest waiting age; scoped, escaped, no script';

/** A table row's cells as text (tags dropped, entities left as they are). */
function cellsOf(row: string): string[] {
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
}

/**
 * /queues on either backend, as an admin and as an organisation's staff would read it: the oldest job
 * waits at a lower priority behind newer urgent work (so reading only the head of the queue is wrong),
 * one queue is paused, and an organisation's name is markup.
 */
async function checkQueuesPage(
  o: Awaited<ReturnType<typeof openSeededDashboard>>,
  backend: QueueBackendKind,
): Promise<void> {
  const { queueConnection, s, base, database } = o;
  const a = queueConnection.createQueue(`single-${s.orgA}`);
  const b = queueConnection.createQueue(`single-${s.orgB}`);
  try {
    const now = Date.now();
    const job = { requestId: 1 };
    await a.add('lrs.request', job, { jobId: 'q-1', priority: 5, timestamp: now - 2 * 3_600_000 });
    await a.add('lrs.request', job, { jobId: 'q-2', priority: 1, timestamp: now - 60_000 });
    await a.add('lrs.request', job, { jobId: 'q-3', timestamp: now - 30 * 60_000 });
    await a.add('lrs.request', job, { jobId: 'q-4', delay: 3_600_000 });
    await b.add('lrs.request', job, { jobId: 'q-5', priority: 3, timestamp: now - 5 * 60_000 });
    await b.add('lrs.request', job, { jobId: 'q-6', timestamp: now - 7 * 60_000 });
    await b.pause();
    await database.pool.query(`update lrs.organisation set name = '<b>Beta</b> & Co' where id = $1`, [
      s.orgB,
    ]);

    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const r = await root.get('/queues');
    const page = await r.text();
    expect(r.status, page).toBe(200);
    const rowOf = (html: string, queue: string) =>
      new RegExp(`<tr data-queue="${queue}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    // Queue, organisation, state, waiting, active, delayed, failed, oldest waiting.
    const rowA = rowOf(page, `single-${s.orgA}`);
    expect(cellsOf(rowA).slice(0, 7)).toEqual([
      `single-${s.orgA}`,
      '10000001 Alpha College',
      'Running',
      '3',
      '0',
      '1',
      '0',
    ]);
    expect(cellsOf(rowA)[7]).toMatch(/^2 h \(since /);
    const rowB = rowOf(page, `single-${s.orgB}`);
    expect(cellsOf(rowB).slice(2, 7)).toEqual(['Paused', '2', '0', '0', '0']);
    expect(cellsOf(rowB)[7]).toMatch(/^7 min \(since /);
    expect(cellsOf(rowOf(page, 'batch'))).toEqual([
      'batch',
      'all organisations',
      'Running',
      '0',
      '0',
      '0',
      '0',
      'nothing waits',
    ]);
    // The organisation's name is escaped and linked to the organisations page.
    expect(rowB).toContain(
      `<a href="/organisations#organisation-${s.orgB}">10000002 &lt;b&gt;Beta&lt;/b&gt; &amp; Co</a>`,
    );
    expect(page).not.toContain('<b>Beta');
    // bull-board, on Redis only, is one link away; on Postgres the page says why there is none.
    if (backend === 'redis') expect(page).toContain('<a href="/queues/board">open bull-board</a>');
    else {
      expect(page).toContain('The queues live in Postgres');
      expect(page).not.toContain('/queues/board');
      expect((await root.get('/queues/board')).status).toBe(404);
    }
    expect(r.headers.get('x-powered-by')).toBeNull();
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(page).not.toMatch(/<script/i);

    // An organisation's staff see their queue and the shared ones, never another organisation's.
    const alice = createTestClient(base);
    await alice.logIn('alice', PASSWORD);
    const hers = await (await alice.get('/queues')).text();
    expect([...hers.matchAll(/<tr data-queue="([^"]+)">/g)].map((m) => m[1]).sort()).toEqual(
      ['batch', 'scheduler', `single-${s.orgA}`].sort(),
    );
    expect(hers).not.toContain('Beta');
  } finally {
    await database.pool.query(`update lrs.organisation set name = 'Beta College' where id = $1`, [s.orgB]);
    await b.resume();
    await a.obliterate({ force: true });
    await b.obliterate({ force: true });
    await a.close();
    await b.close();
  }
}

describe('support dashboard security', () => {
  let opened: Awaited<ReturnType<typeof openSeededDashboard>> | undefined;
  let database: Database;
  let base: string;
  let s: Seeded;
  const prefix = createQueuePrefix();

  const statusOf = async (id: number) =>
    (await database.pool.query<{ status: string }>('select status from lrs.request where id = $1', [id]))
      .rows[0]?.status;

  beforeAll(async () => {
    opened = await openSeededDashboard('redis', prefix);
    ({ database, base, s } = opened);
  });

  afterAll(async () => {
    await closeSeededDashboard(opened);
    await assertNoRedisLeaks(prefix);
  });

  it('refuses every page and API without a session', async () => {
    const anon = createTestClient(base);
    const paths = [
      '/',
      '/exceptions',
      '/requests',
      `/requests/${s.possible}`,
      '/batches',
      '/queues',
      '/queues/board',
      '/queues/board/api/queues',
      '/api/requests',
      `/api/requests/${s.possible}`,
      '/api/exceptions',
      '/nowhere',
    ];
    for (const path of paths) {
      const page = await anon.get(path);
      expect([303, 401], path).toContain(page.status);
      if (page.status === 303) expect(page.headers.get('location'), path).toMatch(/^\/login\?next=/);
      expect(await page.text(), path).not.toContain('STU-');
      const api = await anon.get(path, { accept: 'application/json' });
      expect(api.status, path).toBe(401);
    }
    for (const path of [
      `/requests/${s.failed}/retry`,
      `/requests/${s.pending}/cancel`,
      `/requests/${s.possible}/resolve`,
      '/exceptions/retry',
      '/exceptions/cancel',
      '/logout',
    ]) {
      const r = await anon.post(path, { _csrf: 'x', uln: '1000000001', status: 'failed', code: 'TIMEOUT' });
      expect(r.status, path).toBe(401);
    }
    expect(await statusOf(s.failed)).toBe('failed');
    expect(await statusOf(s.pending)).toBe('pending');
    expect(await statusOf(s.possible)).toBe('needs_action');
  });

  it('keeps a staff user of one organisation away from another organisation by every URL', async () => {
    const bob = createTestClient(base);
    expect((await bob.logIn('bob', PASSWORD)).status).toBe(303);
    const csrf = await bob.csrf();
    for (const id of [s.possible, s.tooMany, s.failed]) {
      const page = await bob.get(`/requests/${id}`);
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain('STU-');
      expect((await bob.get(`/api/requests/${id}`, { accept: 'application/json' })).status).toBe(404);
    }
    const list = await (await bob.get('/requests')).text();
    expect(list).toContain('STU-B-POSSIBLE');
    expect(list).not.toMatch(/STU-(TOOMANY|POSSIBLE|FAILED|OK|PENDING)/);
    expect(await (await bob.get(`/requests?org=${s.orgA}`)).text()).not.toContain('STU-');
    const api = (await (await bob.get('/api/requests', { accept: 'application/json' })).json()) as {
      id: number;
    }[];
    expect(api.map((r) => r.id).sort()).toEqual([s.otherPossible, s.otherFailed].sort());
    const exceptions = await (await bob.get('/exceptions')).text();
    expect(exceptions).not.toContain('WSRC0002');
    // A possible match cannot change on a retry: no "Retry all" for it, and the page says why; the
    // failed group keeps its button. A hand-made POST retries nothing.
    const possibleGroup = exceptions.slice(exceptions.indexOf('data-code="WSRC0003"'));
    expect(possibleGroup.slice(0, possibleGroup.indexOf('</section>'))).not.toMatch(/<button[^>]*>Retry all/);
    expect(possibleGroup).toContain('can only bring the same answer');
    expect(exceptions).toMatch(/data-code="TIMEOUT"[\s\S]*?<button[^>]*>Retry all 1…</);
    const same = await bob.post('/exceptions/retry', {
      _csrf: csrf,
      status: 'needs_action',
      code: 'WSRC0003',
    });
    expect(same.headers.get('location')).toContain('done=sameAnswer');
    expect(await statusOf(s.otherPossible)).toBe('needs_action');

    expect((await bob.post(`/requests/${s.failed}/retry`, { _csrf: csrf })).status).toBe(404);
    expect((await bob.post(`/requests/${s.pending}/cancel`, { _csrf: csrf })).status).toBe(404);
    // Neither the question nor the confirmed answer reaches another organisation's request.
    for (const confirm of [{}, { confirm: 'yes' }] as Record<string, string>[]) {
      expect(
        (await bob.post(`/requests/${s.possible}/resolve`, { _csrf: csrf, uln: '1000000001', ...confirm }))
          .status,
      ).toBe(404);
      expect(
        (
          await bob.post(`/requests/${s.possible}/resolve`, {
            _csrf: csrf,
            uln: '',
            note: 'none',
            ...confirm,
          })
        ).status,
      ).toBe(404);
    }
    // A group action touches only bob's organisation: org A's failed TIMEOUT request stays failed. Bob is
    // asked about his one request, not about organisation A's.
    const ask = await bob.post('/exceptions/retry', { _csrf: csrf, status: 'failed', code: 'TIMEOUT' });
    expect(await ask.text()).toContain('Retry 1 request?');
    expect(
      (
        await bob.post('/exceptions/retry', {
          _csrf: csrf,
          status: 'failed',
          code: 'TIMEOUT',
          expected: '1',
          confirm: 'yes',
        })
      ).status,
    ).toBe(303);
    expect(await statusOf(s.failed)).toBe('failed');
    expect(await statusOf(s.otherFailed)).toBe('pending');
    expect(await statusOf(s.pending)).toBe('pending');
    expect(await statusOf(s.possible)).toBe('needs_action');
    const audit = await database.pool.query(
      'select count(*)::int as n from lrs.audit where request_id = any($1::bigint[]) and user_name = $2',
      [[s.failed, s.pending, s.possible], 'bob'],
    );
    expect(audit.rows[0].n).toBe(0);
  });

  it('shows admins every organisation but personal data only of their own, and no match resolution', async () => {
    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const page = await root.get(`/requests/${s.possible}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('WSRC0003');
    expect(text).not.toContain('STU-POSSIBLE');
    expect(text).not.toContain('Ann');
    expect(text).not.toContain('1000000001');
    const r = await root.post(`/requests/${s.possible}/resolve`, {
      _csrf: await root.csrf(),
      uln: '1000000001',
    });
    expect(r.status).toBe(404);
    expect(await statusOf(s.possible)).toBe('needs_action');
  });

  it('refuses a form post without the session CSRF token', async () => {
    const alice = createTestClient(base);
    await alice.logIn('alice', PASSWORD);
    expect((await alice.post(`/requests/${s.tooMany}/retry`, {})).status).toBe(403);
    expect((await alice.post(`/requests/${s.tooMany}/retry`, { _csrf: 'not-the-token' })).status).toBe(403);
    const other = createTestClient(base);
    await other.logIn('alice', PASSWORD);
    // Another session's token does not work either.
    expect((await alice.post(`/requests/${s.tooMany}/retry`, { _csrf: await other.csrf() })).status).toBe(
      403,
    );
    expect(await statusOf(s.tooMany)).toBe('needs_action');
    const anonymousLogin = createTestClient(base);
    expect((await anonymousLogin.post('/login', { username: 'alice', password: PASSWORD })).status).toBe(403);
    const ok = await alice.post(`/requests/${s.tooMany}/retry`, { _csrf: await alice.csrf() });
    expect(ok.status).toBe(303);
    expect(await statusOf(s.tooMany)).toBe('pending');
  });

  it('sets an HttpOnly SameSite=Strict cookie and stores only its SHA-256; logout ends the session', async () => {
    const login = await fetch(`${base}/login`);
    const csrf = extractCsrf(await login.text());
    const loginCookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const r = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: 'alice', password: PASSWORD }).toString(),
    });
    const set = r.headers.getSetCookie().find((c) => c.startsWith('lrs_session='))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    const token = decodeURIComponent(set.split(';')[0]!.slice('lrs_session='.length));
    const rows = await database.pool.query<{ token_hash: string }>(
      'select token_hash from lrs.staff_session',
    );
    const hashes = rows.rows.map((x) => x.token_hash);
    expect(hashes).toContain(createHash('sha256').update(token).digest('hex'));
    expect(hashes).not.toContain(token);

    const alice = createTestClient(base);
    await alice.logIn('alice', PASSWORD);
    expect((await alice.post('/logout', { _csrf: await alice.csrf() })).status).toBe(303);
    expect((await alice.get('/')).status).toBe(303);
  });

  it('renders every page for staff, escaping data from the database', async () => {
    await database.pool.query(`update lrs.request set staff_note = $2, last_error = $3 where id = $1`, [
      s.otherPossible,
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(2)>',
    ]);
    await database.pool.query(
      `insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, duration_ms) values ($1, $2, 'w', 'learnerByULN', 'WSRC0004', 'lrs', 250)`,
      [s.orgB, s.otherFailed],
    );
    const bob = createTestClient(base);
    await bob.logIn('bob', PASSWORD);
    const overview = await (await bob.get('/')).text();
    expect(overview).toContain('Requests by status');
    expect(overview).toMatch(/<td>learnerByULN<\/td><td class="num">1<\/td>/);
    // The 24-hour charts are inline SVG (no script), built from the same scoped rows.
    expect(overview).toMatch(/<svg class="chart" role="img"[^>]*><title>LRS call time/);
    expect(overview).toMatch(/<title>\d\d:\d\d learnerByULN: 250 ms<\/title>/);
    expect(overview).not.toContain('<script');
    expect(overview).toContain(`single-${s.orgB}`);
    expect(overview).not.toContain(`single-${s.orgA}`);
    expect((await bob.get('/batches')).status).toBe(200);
    const detail = await (await bob.get(`/requests/${s.otherPossible}`)).text();
    expect(detail).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(detail).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(detail).not.toContain('<script>');
    expect(detail).not.toContain('<img src=x');
  });

  it('guards /metrics with the bearer token and leaves /healthz and /readyz open', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-000000000' } })).status,
    ).toBe(401);
    const m = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(m.status).toBe(200);
    expect(await m.text()).toContain('lrs_relay_requests');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ok: true,
      checks: { postgres: { ok: true }, redis: { ok: true } },
    });
  });

  it('mounts bull-board read-only with only their queues for staff, and writable for admins', async () => {
    const alice = createTestClient(base);
    await alice.logIn('alice', PASSWORD);
    const ui = await alice.get('/queues/board');
    expect(ui.status).toBe(200);
    type Board = { queues: { name: string; displayName?: string; readOnlyMode: boolean }[] };
    const staffBoard = (await (
      await alice.get('/queues/board/api/queues', { accept: 'application/json' })
    ).json()) as Board;
    const names = staffBoard.queues.map((q) => q.name).sort();
    expect(names).toEqual(['batch', 'scheduler', `single-${s.orgA}`].sort());
    expect(staffBoard.queues.every((q) => q.readOnlyMode)).toBe(true);
    // Each organisation's queue is named with the organisation (bull-board renders it as text).
    expect(staffBoard.queues.find((q) => q.name === `single-${s.orgA}`)?.displayName).toBe(
      `single-${s.orgA} · 10000001 Alpha College`,
    );
    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const adminBoard = (await (
      await root.get('/queues/board/api/queues', { accept: 'application/json' })
    ).json()) as Board;
    expect(adminBoard.queues.map((q) => q.name)).toContain(`single-${s.orgB}`);
    expect(adminBoard.queues.find((q) => q.name === `single-${s.orgB}`)?.displayName).toBe(
      `single-${s.orgB} · 10000002 Beta College`,
    );
    expect(adminBoard.queues.every((q) => !q.readOnlyMode)).toBe(true);
  });

  it('sends security headers on every route, bull-board included, and no X-Powered-By', async () => {
    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const responses = {
      '/login': await createTestClient(base).get('/login'),
      '/': await root.get('/'),
      '/requests': await root.get('/requests'),
      '/queues': await root.get('/queues'),
      '/queues/board': await root.get('/queues/board'),
      '/queues/board/api/queues': await root.get('/queues/board/api/queues', { accept: 'application/json' }),
      '/nowhere': await root.get('/nowhere'),
      '/healthz': await fetch(`${base}/healthz`),
    };
    for (const [path, r] of Object.entries(responses)) {
      expect(r.headers.get('x-powered-by'), path).toBeNull();
      expect(r.headers.get('x-frame-options'), path).toBe('DENY');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('cache-control'), path).toBe('no-store');
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toMatch(/default-src 'self'/);
      // bull-board runs its own scripts from this origin; our pages, /queues included, run none.
      expect(csp, path).toContain(
        path.startsWith('/queues/board') ? "script-src 'self'" : "script-src 'none'",
      );
      expect(csp, path).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    }
  });

  it('refuses a malformed or foreign Origin on bull-board with 403, not 500', async () => {
    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const errors: unknown[] = [];
    for (const origin of ['http://[bad', 'not a url', 'null', 'http://evil.example', 'javascript:alert(1)']) {
      const r = await fetch(`${base}/queues/board/api/queues/pause`, {
        method: 'PUT',
        headers: { cookie: [...root.cookies].map(([k, v]) => `${k}=${v}`).join('; '), origin },
      });
      if (r.status !== 403) errors.push({ origin, status: r.status });
      expect(await r.text(), origin).toBe('cross-site request refused');
    }
    expect(errors).toEqual([]);
  });

  it('closes /metrics without a token unless METRICS_PUBLIC says otherwise', async () => {
    const { dashboard: closed, url } = await startTestDashboard({
      db: database,
      config: { QUEUE_PREFIX: prefix },
    });
    try {
      const r = await fetch(`${url}/metrics`);
      expect(r.status).toBe(401);
      expect(await r.text()).toMatch(/set METRICS_TOKEN .*METRICS_PUBLIC=true/);
      expect(
        (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer anything-at-all-0000' } })).status,
      ).toBe(401);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await closed.close();
    }
  });

  it('shows Redis server details in bull-board to admins only', async () => {
    const alice = createTestClient(base);
    await alice.logIn('alice', PASSWORD);
    const staff = await alice.get('/queues/board/api/redis/stats', { accept: 'application/json' });
    expect(staff.status).toBe(403);
    expect(await staff.text()).not.toMatch(/redis_version|"version"|used_memory/);
    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const admin = await root.get('/queues/board/api/redis/stats', { accept: 'application/json' });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ version: expect.any(String) as string });
  });

  it(QUEUES_PAGE_TEST, () => checkQueuesPage(opened!, 'redis'));
});

describe('support dashboard security, queues in Postgres', () => {
  let opened: Awaited<ReturnType<typeof openSeededDashboard>> | undefined;

  beforeAll(async () => {
    opened = await openSeededDashboard('postgres', createQueuePrefix());
  });

  afterAll(() => closeSeededDashboard(opened));

  it(QUEUES_PAGE_TEST, () => checkQueuesPage(opened!, 'postgres'));
});
