/**
 * A leaver or a change of role: `lrs-relay staff disable|enable|remove|demote|promote` takes effect on
 * the account's next dashboard request, and each change is audited with who made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStaff } from '../../src/cli/staff.ts';
import { createCliActor } from '../../src/support/access.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { addStaff } from '../../src/support/staff.ts';
import type { CliContext } from '../../src/cli/kit.ts';
import { createTestClient } from '../e2e/http-client.ts';
import { PASSWORD, TEST_SCRYPT_COST } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('staff lifecycle', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let base: string;
  const out: string[] = [];

  const staff = (...args: string[]) => {
    const ctx = {
      db: database,
      actor: createCliActor('it-admin'),
      io: {
        out: (s: string) => out.push(s),
        err: (s: string) => out.push(s),
        isInteractive: false,
        readSecret: () => Promise.resolve(''),
      },
    } as unknown as CliContext;
    return runStaff(args, ctx);
  };
  const loggedIn = async (username: string) => {
    const client = createTestClient(base);
    expect((await client.logIn(username, PASSWORD)).status).toBe(303);
    return client;
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'staff-lifecycle-test' });
    await addStaff(database, { username: 'ann', password: PASSWORD, isAdmin: true, cost: TEST_SCRYPT_COST });
    await addStaff(database, { username: 'bob', password: PASSWORD, cost: TEST_SCRYPT_COST });
    await addStaff(database, { username: 'cat', password: PASSWORD, cost: TEST_SCRYPT_COST });
    ({ dashboard, url: base } = await startTestDashboard({
      db: database,
      config: { QUEUE_PREFIX: 'staff-lifecycle' },
      loginDelayBaseMs: 20,
    }));
  });

  afterAll(async () => {
    await dashboard?.close();
    await database?.close();
    await tdb?.drop();
  });

  it('disable ends the sessions at once and refuses the login; enable lets the person back', async () => {
    const bob = await loggedIn('bob');
    expect((await bob.get('/')).status).toBe(200);
    expect(await staff('disable', 'bob')).toBe(0);
    expect(out.at(-1)).toContain('bob disabled');
    expect((await bob.get('/')).status).toBe(303);
    const again = createTestClient(base);
    await again.logIn('bob', PASSWORD);
    expect(again.cookies.has('lrs_session')).toBe(false);
    expect(await staff('disable', 'bob')).toBe(0);
    expect(out.at(-1)).toContain('Nothing changed: bob is already disabled');
    expect(await staff('enable', 'bob')).toBe(0);
    expect((await (await loggedIn('bob')).get('/')).status).toBe(200);
  });

  it('demote takes admin away from the next request; promote gives it back', async () => {
    const ann = await loggedIn('ann');
    expect(await (await ann.get('/')).text()).toContain('ann (admin)');
    expect(await staff('demote', 'ann')).toBe(0);
    const page = await (await ann.get('/')).text();
    expect(page).toContain('ann');
    expect(page).not.toContain('ann (admin)');
    expect(await staff('promote', 'ann')).toBe(0);
    expect(await (await ann.get('/')).text()).toContain('ann (admin)');
  });

  it('keeps at most five sessions per account: a sixth login ends the oldest', async () => {
    const first = await loggedIn('bob');
    for (let i = 0; i < 5; i++) await loggedIn('bob');
    const n = await database.pool.query(
      `select count(*)::int as n from lrs.staff_session s join lrs.staff_user u on u.id = s.staff_user_id where u.username = 'bob'`,
    );
    expect(n.rows[0].n).toBe(5);
    expect((await first.get('/')).status).toBe(303);
  });

  it('remove deletes the account and its sessions; every change is audited with who made it', async () => {
    const cat = await loggedIn('cat');
    expect(await staff('remove', 'cat')).toBe(0);
    expect((await cat.get('/')).status).toBe(303);
    const users = await database.pool.query(`select 1 from lrs.staff_user where username = 'cat'`);
    expect(users.rowCount).toBe(0);
    expect(await staff('remove', 'cat')).toBe(1);
    expect(out.at(-1)).toContain('no staff account named cat');
    const audit = await database.pool.query(
      'select user_name, operation, staff_username from lrs.staff_audit order by id',
    );
    expect(audit.rows).toEqual([
      { user_name: 'cli:it-admin', operation: 'staff.disable', staff_username: 'bob' },
      { user_name: 'cli:it-admin', operation: 'staff.enable', staff_username: 'bob' },
      { user_name: 'cli:it-admin', operation: 'staff.demote', staff_username: 'ann' },
      { user_name: 'cli:it-admin', operation: 'staff.promote', staff_username: 'ann' },
      { user_name: 'cli:it-admin', operation: 'staff.remove', staff_username: 'cat' },
    ]);
  });
});
