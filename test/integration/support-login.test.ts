/**
 * Dashboard login under attack: parallel guesses get at most the allowed number of passwords checked,
 * an unknown user is answered like a real one, an attacker at another address cannot lock a named
 * person out, addresses and the whole site are throttled before any password is checked, one address
 * cannot use up the site-wide limit, and the login form takes only a token the server issued.
 * The dashboard trusts one proxy here, so each test names its client's address in X-Forwarded-For.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { createLoginCsrfKey, isIssuedLoginCsrf, issueLoginCsrf } from '../../src/support/http-auth.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from '../../src/support/login-throttle.ts';
import { addStaff } from '../../src/support/staff.ts';
import { createTestClient, extractCsrf } from '../e2e/http-client.ts';
import { PASSWORD, TEST_SCRYPT_COST } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('dashboard login throttling', () => {
  let tdb: TestDatabase;
  let database: Database;
  const dashboards: Dashboard[] = [];

  const start = async (limits?: LoginLimits) => {
    const { dashboard: d, url } = await startTestDashboard({
      db: database,
      config: { QUEUE_PREFIX: 'login-test', TRUST_PROXY: true },
      loginDelayBaseMs: 20,
      ...(limits ? { loginLimits: limits } : {}),
    });
    dashboards.push(d);
    return url;
  };
  let base: string;

  /** A client at `address`, with the login form already loaded (its CSRF token in hand). */
  const readyClient = async (url: string, address: string) => {
    const client = createTestClient(url, { 'x-forwarded-for': address });
    const form = async () => extractCsrf(await (await client.get('/login')).text());
    let csrf: string | null = await form();
    return {
      client,
      /** Posts the login form (each answer sets a new form token, so later attempts load the form again). */
      logIn: async (username: string, password: string) => {
        const token = csrf ?? (await form());
        csrf = null;
        return client.post('/login', { _csrf: token, username, password, next: '/' });
      },
    };
  };
  const sessionsOf = async (username: string) =>
    Number(
      (
        await database.pool.query<{ n: string }>(
          `select count(*) as n from lrs.staff_session s join lrs.staff_user u on u.id = s.staff_user_id
            where u.username = $1`,
          [username],
        )
      ).rows[0]?.n,
    );
  const failedLoginsOf = async (username: string) =>
    (
      await database.pool.query<{ failed_logins: number }>(
        'select failed_logins from lrs.staff_user where username = $1',
        [username],
      )
    ).rows[0]?.failed_logins;
  /** The page without its per-response CSRF token, to compare two answers. */
  const comparable = async (r: Response) =>
    (await r.text()).replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-login-test' });
    for (const username of ['carol', 'erin', 'frank'])
      await addStaff(database, { username, password: PASSWORD, cost: TEST_SCRYPT_COST });
    // Same cost as the dummy hash an unknown username is checked against, as in production.
    await addStaff(database, { username: 'dora', password: PASSWORD });
    base = await start();
  });

  // Each test starts with no attempts counted (the site-wide counter would carry over).
  beforeEach(async () => {
    await database?.pool.query('delete from lrs.login_throttle');
  });

  afterAll(async () => {
    for (const d of dashboards) await d.close();
    await database?.close();
    await tdb?.drop();
  });

  it('checks at most 5 passwords of 20 parallel guesses, and then logs no one in, right password or not', async () => {
    const address = '203.0.113.10';
    const clients = await Promise.all(Array.from({ length: 20 }, () => readyClient(base, address)));
    const answers = await Promise.all(
      clients.map((c, i) => c.logIn('carol', i === 19 ? PASSWORD : `wrong password ${i}`)),
    );
    const statuses = answers.map((r) => r.status);
    const checked = statuses.filter((s) => s !== 429).length;
    const succeeded = statuses.filter((s) => s === 303).length;
    expect(checked, statuses.join(' ')).toBe(DEFAULT_LOGIN_LIMITS.accountAtAddress.max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    // Every wrong password that was checked is counted, and a session exists only for a 303.
    expect(await failedLoginsOf('carol')).toBe(succeeded === 1 ? 0 : checked);
    expect(await sessionsOf('carol')).toBe(succeeded);
    // The limit is reached: the right password, from that address, opens nothing.
    const right = await readyClient(base, address);
    const again = await right.logIn('carol', PASSWORD);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(await again.text()).toContain('Too many login attempts: try again in 15 minute(s).');
    expect(right.client.cookies.has('lrs_session')).toBe(false);
    expect(await sessionsOf('carol')).toBe(succeeded);
  });

  it('answers an unknown username exactly like a real one, in status, page and time', async () => {
    const real = await readyClient(base, '198.51.100.1');
    const unknown = await readyClient(base, '198.51.100.2');
    const realTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 7; i++) {
      let t0 = performance.now();
      const a = await real.logIn('dora', 'not the password');
      realTimes.push(performance.now() - t0);
      t0 = performance.now();
      const b = await unknown.logIn('nobody-here', 'not the password');
      unknownTimes.push(performance.now() - t0);
      expect([a.status, i]).toEqual([b.status, i]);
      expect(a.headers.has('retry-after')).toBe(b.headers.has('retry-after'));
      expect(await comparable(a)).toBe(await comparable(b));
    }
    // Five wrong passwords are checked (401), then both are throttled alike (429).
    expect(await failedLoginsOf('dora')).toBe(5);
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const checkedMedian = (xs: number[]) => median(xs.slice(0, 5));
    // Both wait for a hash of the same cost and the same deliberate delay; allow for a busy machine.
    expect(Math.abs(checkedMedian(realTimes) - checkedMedian(unknownTimes))).toBeLessThan(
      0.5 * Math.max(checkedMedian(realTimes), checkedMedian(unknownTimes)),
    );
  });

  it('does not let an attacker at another address lock a named person out', async () => {
    const attacker = await readyClient(base, '192.0.2.66');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await attacker.logIn('erin', `guess number ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Entries before the proxy's own one are the client's to invent: rotating them changes nothing.
    const spoofing = createTestClient(base, { 'x-forwarded-for': '10.9.8.7, 192.0.2.66' });
    const csrf = extractCsrf(await (await spoofing.get('/login')).text());
    expect(
      (await spoofing.post('/login', { _csrf: csrf, username: 'erin', password: 'guess again!!' })).status,
    ).toBe(429);
    const erin = await readyClient(base, '198.51.100.77');
    expect((await erin.logIn('erin', PASSWORD)).status).toBe(303);
    expect(erin.client.cookies.has('lrs_session')).toBe(true);
  });

  it('throttles one address across many usernames before any password is checked', async () => {
    const max = 6;
    const url = await start({ ...DEFAULT_LOGIN_LIMITS, address: { max, windowMs: 15 * 60_000 } });
    const sprayer = await readyClient(url, '2001:db8:1:2::1');
    const statuses: number[] = [];
    for (let i = 0; i <= max; i++) statuses.push((await sprayer.logIn(`user${i}`, 'Password123!')).status);
    expect(statuses.slice(0, max).every((s) => s === 401)).toBe(true);
    expect(statuses[max]).toBe(429);
    // Another address of the same IPv6 /64 is the same subscriber.
    const neighbour = await readyClient(url, '2001:db8:1:2:ffff::9');
    expect((await neighbour.logIn('frank', PASSWORD)).status).toBe(429);
    const elsewhere = await readyClient(url, '2001:db8:1:3::1');
    expect((await elsewhere.logIn('frank', PASSWORD)).status).toBe(303);
  });

  it('counts addresses, not attempts, towards the site-wide limit', async () => {
    const url = await start({ ...DEFAULT_LOGIN_LIMITS, siteAddresses: { max: 3, windowMs: 15 * 60_000 } });
    const first = await readyClient(url, '192.0.2.100');
    // However often one address tries, it is one address.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await first.logIn(`who${i}`, 'x')).status);
    expect(statuses).toEqual(Array(8).fill(401));
    for (let i = 1; i < 3; i++)
      expect((await (await readyClient(url, `192.0.2.${100 + i}`)).logIn(`who${i}`, 'x')).status).toBe(401);
    // A fourth address is refused before its password is checked, right or not.
    const fourth = await readyClient(url, '192.0.2.200');
    expect((await fourth.logIn('frank', PASSWORD)).status).toBe(429);
    expect((await fourth.logIn('frank', PASSWORD)).status).toBe(429);
    // An address already counted keeps its own allowance.
    expect((await first.logIn('frank', PASSWORD)).status).toBe(303);
  });

  it('lets another account log in from another address after 100 refused attempts from one address in a minute', async () => {
    // Real accounts (with a test-cheap hash) so the machine's time goes on the throttle, not on hashing.
    for (let i = 0; i < 10; i++)
      await addStaff(database, { username: `victim${i}`, password: PASSWORD, cost: TEST_SCRYPT_COST });
    const attacker = await readyClient(base, '192.0.2.99');
    const started = Date.now();
    const statuses: number[] = [];
    // A spray over many usernames: the address's limit checks 30, then refuses the rest.
    for (let i = 0; i < 130; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const c = await readyClient(base, '192.0.2.99');
          // The first 30 go to real accounts (3 each); the rest to new names, so it is the
          // address's limit, not an account's, that refuses them.
          const name = i + j < 30 ? `victim${(i + j) % 10}` : `sprayed${i + j}`;
          return (await c.logIn(name, `guess ${i + j}`)).status;
        }),
      );
      statuses.push(...batch);
    }
    statuses.push((await attacker.logIn('carol', PASSWORD)).status);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(100);
    expect(statuses.filter((s) => s === 401)).toHaveLength(DEFAULT_LOGIN_LIMITS.address.max);
    const colleague = await readyClient(base, '198.51.100.9');
    expect((await colleague.logIn('frank', PASSWORD)).status).toBe(303);
    expect(colleague.client.cookies.has('lrs_session')).toBe(true);
  });

  it('refuses a login form token the server did not issue', async () => {
    const chosen = 'attacker-chosen-value';
    const sessionsBefore = await sessionsOf('frank');
    const post = (csrf: string) =>
      fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'x-forwarded-for': '192.0.2.150',
          cookie: `lrs_login_csrf=${encodeURIComponent(csrf)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ _csrf: csrf, username: 'frank', password: PASSWORD }).toString(),
      });
    // A double-submit pair the attacker chose: the same value in cookie and form.
    expect((await post(chosen)).status).toBe(403);
    // The shape of an issued token, signed with another key, or with its time moved.
    expect((await post(issueLoginCsrf(randomBytes(32)))).status).toBe(403);
    const real = extractCsrf(await (await createTestClient(base).get('/login')).text());
    const [, random, mac] = real.split('.');
    expect((await post(`${(Math.floor(Date.now() / 1000) + 5).toString(36)}.${random}.${mac}`)).status).toBe(
      403,
    );
    // Nothing was checked or counted for them.
    expect(await sessionsOf('frank')).toBe(sessionsBefore);
    const rows = (await database.pool.query('select * from lrs.login_throttle')).rows;
    expect(rows, JSON.stringify(rows)).toHaveLength(0);
    // The token the server issued, in the form and the cookie it came with, is accepted.
    expect((await post(real)).status).toBe(303);
  });

  it('accepts a login form token for an hour only', () => {
    const key = createLoginCsrfKey(undefined);
    const now = Date.now();
    const token = issueLoginCsrf(key, now);
    expect(isIssuedLoginCsrf(key, token, now + 59 * 60_000)).toBe(true);
    expect(isIssuedLoginCsrf(key, token, now + 61 * 60_000)).toBe(false);
    expect(isIssuedLoginCsrf(createLoginCsrfKey(undefined), token, now)).toBe(false);
    // Every dashboard process of an installation derives the same key from SECRETS_KEY.
    const secretsKey = 'ab'.repeat(32);
    expect(
      isIssuedLoginCsrf(createLoginCsrfKey(secretsKey), issueLoginCsrf(createLoginCsrfKey(secretsKey))),
    ).toBe(true);
  });

  it('stores no address or typed username in the clear', async () => {
    await (await readyClient(base, '198.51.100.200')).logIn('somebody', 'x');
    const all = (await database.pool.query('select * from lrs.login_throttle')).rows;
    expect(all).toHaveLength(4);
    expect(JSON.stringify(all)).not.toMatch(/198\.51|somebody/);
  });
});
