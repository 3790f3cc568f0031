/**
 * With the queues in Postgres (QUEUE_BACKEND=postgres), `lrs-relay start --role dashboard` runs as a
 * login granted only lrs_support, the dashboard's documented login: it starts, answers /readyz and
 * shows the queue depths it reads from the queue tables. A login without lrs_support is stopped at
 * start-up with advice that names the missing grant, not a migration.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createQueueConnection } from '../../src/queues/store.ts';
import { addStaff } from '../../src/support/staff.ts';
import { createTestClient } from '../e2e/http-client.ts';
import { PASSWORD, TEST_SCRYPT_COST } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { freePort, spawnRelay } from '../helpers/servers.ts';
import { adminUrl } from '../helpers/urls.ts';
import { waitUntil } from '../helpers/wait.ts';

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('the dashboard on the Postgres queue backend, as an lrs_support login', { timeout: 120_000 }, () => {
  const suffix = randomBytes(4).toString('hex');
  const support = `lrs_test_dash_${suffix}`;
  const nobody = `lrs_test_nobody_${suffix}`;
  let tdb: TestDatabase;
  let database: Database;
  const urlAs = (login: string) => {
    const u = new URL(tdb.url);
    u.username = login;
    u.password = '';
    return u.toString();
  };
  const env = (login: string, port: number) => ({
    DATABASE_URL: urlAs(login),
    QUEUE_BACKEND: 'postgres',
    QUEUE_SCHEMA: 'lrs_queue',
    QUEUE_PREFIX: `dash-${suffix}`,
    DASHBOARD_PORT: String(port),
    SHUTDOWN_TIMEOUT_MS: '5000',
    // Only the dashboard runs here: /readyz would otherwise (rightly) report the other roles missing.
    REQUIRED_ROLES: 'dashboard',
  });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'queue-support-test' });
    const org = await database.pool.query<{ id: number }>(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Queue College', '10000555', '{"kind":"env","name":"X"}', 'q') returning id`,
    );
    await addStaff(database, {
      username: 'sam.admin',
      password: PASSWORD,
      isAdmin: true,
      organisationIds: [org.rows[0]!.id],
      cost: TEST_SCRYPT_COST,
    });
    // Work waiting in the organisation's queue, added by the relay's own role.
    const queues = createQueueConnection({
      config: {
        QUEUE_BACKEND: 'postgres',
        REDIS_URL: 'redis://127.0.0.1:1',
        QUEUE_PREFIX: `dash-${suffix}`,
        DATABASE_URL: tdb.url,
        QUEUE_SCHEMA: 'lrs_queue',
        DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
      },
      tag: 'queue-support-test',
    });
    const queue = queues.createQueue(`single-${org.rows[0]!.id}`);
    try {
      for (let i = 1; i <= 3; i++) await queue.add('lrs.request', { requestId: i }, { jobId: `req-${i}` });
    } finally {
      await queue.close();
      await queues.close();
    }
    await asAdmin(`create role ${support} login in role lrs_support; create role ${nobody} login`);
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
    await asAdmin(`drop role if exists ${support}; drop role if exists ${nobody}`);
  });

  it('starts, is ready, and shows the queue depths', async () => {
    const port = await freePort();
    const relay = spawnRelay(['start', '--role', 'dashboard'], env(support, port));
    try {
      await waitUntil(async () => {
        if (relay.child.exitCode !== null) throw new Error(`the dashboard exited:\n${relay.output.stderr}`);
        return relay.output.stdout.includes('dashboard listening');
      }, 60_000);
      const base = `http://127.0.0.1:${port}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status, await ready.text()).toBe(200);
      const client = createTestClient(base);
      expect((await client.logIn('sam.admin', PASSWORD)).status).toBe(303);
      const page = await client.get('/queues');
      const html = await page.text();
      expect(page.status, html).toBe(200);
      // The queue's row: name, the organisation it serves (linked to /organisations), then 3 waiting.
      expect(html).toMatch(
        /<td>single-\d+<\/td><td><a href="\/organisations#organisation-\d+">[^<]+<\/a><\/td><td><span [^>]+>Running<\/span><\/td><td class="num">3<\/td>/,
      );
    } finally {
      relay.child.kill('SIGTERM');
      if (relay.child.exitCode === null) await once(relay.child, 'exit');
    }
  });

  it('stops a login without lrs_support at start-up, naming the grant it needs', async () => {
    const relay = spawnRelay(['start', '--role', 'dashboard'], env(nobody, await freePort()));
    const [code] = (await once(relay.child, 'exit')) as [number | null];
    expect(code).not.toBe(0);
    expect(relay.output.stderr).toMatch(/permission denied for schema lrs_queue/);
    expect(relay.output.stderr).toMatch(new RegExp(`the database login "${nobody}" may not read them`));
    expect(relay.output.stderr).toMatch(/GRANT lrs_support TO <login>/);
    expect(relay.output.stderr).not.toMatch(/or set QUEUE_SCHEMA/);
  });
});
