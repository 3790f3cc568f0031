/**
 * The dashboard's organisations page over HTTP, with the process's real organisation directory doing
 * the check: an organisation whose password cannot be read is "Broken" with the reason, one whose
 * certificate expires in 10 days "Can send" with 10 days left and a warning, a disabled one "Disabled";
 * staff see their own organisations only. An administrator can test an organisation as `orgs test` does
 * (one audited LRS call, against the simulator here); staff get no button and are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createOrganisationTester } from '../../src/orgs/test-organisation.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { createOrganisationDirectory } from '../../src/orgs/directory.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { addStaff } from '../../src/support/staff.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { createTestClient, type TestClient } from '../e2e/http-client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createCertificateFolder, type CertificateFolder } from '../unit/orgs/make-certificates.ts';

const PASSWORD = 'Organisations-Test-1';

describe('dashboard organisations page', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let certs: CertificateFolder;
  let admin: TestClient;
  let staff: TestClient;
  let simulator: Simulator;
  const ids = { good: 0, broken: 0, off: 0, marked: 0 };
  let base: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-organisations-test' });
    certs = await createCertificateFolder();
    const cert = await certs.make('ten-days', { days: 10 });
    const insert = async (name: string, ukprn: string, passwordVar: string, extra = '') => {
      const r = await database.pool.query<{ id: number }>(
        `insert into lrs.organisation (name, ukprn, password_ref, default_user_name${extra ? ', certificate_ref' : ''})
         values ($1, $2, $3::jsonb, 'nightly'${extra ? ', $4::jsonb' : ''}) returning id`,
        [name, ukprn, JSON.stringify({ kind: 'env', name: passwordVar }), ...(extra ? [extra] : [])],
      );
      return r.rows[0]!.id;
    };
    ids.good = await insert(
      'Good College',
      '10000001',
      'GOOD_PW',
      JSON.stringify({ format: 'pem', keyPath: cert.keyPath, certPath: cert.certPath }),
    );
    ids.broken = await insert('Broken College', '10000002', 'NOBODY_SET_THIS_PW');
    ids.off = await insert('Closed College', '10000003', 'GOOD_PW');
    ids.marked = await insert('<i>Italic</i> & Co', '10000004', 'NOBODY_SET_THIS_PW');
    await database.pool.query(
      `update lrs.organisation set is_disabled = true, disabled_reason = 'Merged into Good College' where id = $1`,
      [ids.off],
    );
    // Work behind the figures: one open request and one failed one for the broken organisation.
    await database.pool.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, completed_at)
       values ($1, 'mis', 'find_by_uln', 'A', '{}', 'pending', null, null),
              ($1, 'mis', 'find_by_uln', 'B', '{}', 'failed', 'ORGANISATION_UNAVAILABLE', now())`,
      [ids.broken],
    );
    await addStaff(database, { username: 'root', password: PASSWORD, isAdmin: true, cost: 1024 });
    await addStaff(database, {
      username: 'gina',
      password: PASSWORD,
      organisationIds: [ids.good],
      cost: 1024,
    });
    // The check the relay's dashboard process makes: its organisation directory, with its environment.
    const directory = createOrganisationDirectory({
      db: database.db,
      config: { SECRETS_KEY: undefined, CERT_EXPIRY_WARNING_DAYS: 30 },
      log: createLogger({ level: 'silent' }),
      env: { GOOD_PW: 'Simulator-Pass16' },
    });
    // The test button's check: the simulator stands in for the LRS (its organisation 10000001 is Good College's).
    simulator = createSimulator({ syntheticLearners: 10 });
    await simulator.listen();
    const config = loadConfig({
      DATABASE_URL: tdb.url,
      LRS_BASE_URL: simulator.url,
      LRS_ALLOW_INSECURE_HTTP: 'true',
      LRS_CONNECT_TIMEOUT_MS: '1000',
    });
    ({ dashboard, url: base } = await startTestDashboard({
      db: database,
      checkOrganisation: (id) => directory.get(id),
      testOrganisation: createOrganisationTester({
        db: database.db,
        config,
        log: createLogger({ level: 'silent' }),
        env: { GOOD_PW: 'Simulator-Pass16' },
      }),
    }));
    admin = createTestClient(base);
    staff = createTestClient(base);
    expect((await admin.logIn('root', PASSWORD)).status).toBe(303);
    expect((await staff.logIn('gina', PASSWORD)).status).toBe(303);
  });
  afterAll(async () => {
    await dashboard?.close();
    await simulator?.close();
    await database?.close();
    await certs?.remove();
    await tdb?.drop();
  });

  const rowOf = (page: string, id: number) => {
    const m = new RegExp(`<tr data-organisation="${id}"[\\s\\S]*?</tr>`).exec(page);
    expect(m, `row of organisation ${id}`).not.toBeNull();
    return m![0];
  };

  it('says which organisation can send, which is broken and why, and how long each certificate lasts', async () => {
    const page = await (await admin.get('/organisations')).text();
    const good = rowOf(page, ids.good);
    expect(good).toContain('data-state="can_send"');
    expect(good).toMatch(/<span class="cert-days">(9|10) days left<\/span>/);
    expect(good).toContain('ask the LRS service desk for a new one');
    const broken = rowOf(page, ids.broken);
    expect(broken).toContain('data-state="broken"');
    expect(broken).toContain('>Broken</span>');
    expect(broken).toContain('NOBODY_SET_THIS_PW');
    expect(broken).toMatch(
      /<td class="num"><a href="\/requests\?org=\d+">1<\/a><\/td>\s*<td class="num"><a href="\/requests\?org=\d+&amp;status=failed">1<\/a>/,
    );
    const off = rowOf(page, ids.off);
    expect(off).toContain('data-state="disabled"');
    expect(off).toContain('Merged into Good College');
  });

  it('shows staff their own organisations only', async () => {
    const page = await (await staff.get('/organisations')).text();
    expect(page).toContain(`data-organisation="${ids.good}"`);
    expect(page).not.toContain(`data-organisation="${ids.broken}"`);
    expect(page).not.toContain('Broken College');
  });

  const testAudit = async () =>
    (
      await database.pool.query(
        `select organisation_id, user_name, operation, code, code_source from lrs.audit
          where request_id is null order by id`,
      )
    ).rows;

  it('lets an administrator test an organisation, audited with their name; staff get no button and are refused', async () => {
    const listed = await (await admin.get('/organisations')).text();
    expect(rowOf(listed, ids.good)).toContain(`action="/organisations/${ids.good}/test"`);
    const staffPage = await (await staff.get('/organisations')).text();
    expect(staffPage).not.toContain('/test"');
    const refused = await staff.post(`/organisations/${ids.good}/test`, { _csrf: await staff.csrf() });
    expect(refused.status).toBe(403);
    // Without the session's CSRF token nothing is tested either.
    expect((await admin.post(`/organisations/${ids.good}/test`, { _csrf: 'forged' })).status).toBe(403);
    expect(await testAudit()).toEqual([]);

    const ok = await admin.post(`/organisations/${ids.good}/test`, { _csrf: await admin.csrf() });
    // Post/redirect/get: the result is a page of its own.
    expect(ok.status).toBe(303);
    const resultPath = ok.headers.get('location') ?? '';
    expect(resultPath).toMatch(/^\/organisations\?test=[\w-]+$/);
    const okPage = await (await admin.get(resultPath)).text();
    expect(okPage).toContain('data-ok="true"');
    expect(okPage).toContain('Test of 10000001 (Good College)');
    expect(okPage).toMatch(/<strong>OK<\/strong>: credentials work: the LRS answered WSRC\d{4}/);
    expect(await testAudit()).toEqual([
      {
        organisation_id: ids.good,
        user_name: 'nightly',
        operation: expect.stringMatching(/learnerByUln/i),
        code: expect.stringMatching(/^WSRC/),
        code_source: 'lrs',
      },
      {
        organisation_id: ids.good,
        user_name: 'root',
        operation: 'relay.org-test',
        code: 'ORGANISATION_TESTED',
        code_source: 'relay',
      },
    ]);

    // A failure says which part failed and what to do; the organisation's own text is escaped.
    const failedPost = await admin.post(`/organisations/${ids.marked}/test`, { _csrf: await admin.csrf() });
    expect(failedPost.status).toBe(303);
    const failed = await (await admin.get(failedPost.headers.get('location') ?? '')).text();
    expect(failed).toContain('data-ok="false"');
    expect(failed).toContain('Test of 10000004 (&lt;i&gt;Italic&lt;/i&gt; &amp; Co)');
    expect(failed).not.toContain('<i>Italic');
    expect(failed).toContain('Failed (secret reference)');
    expect(failed).toContain('NOBODY_SET_THIS_PW');
    expect(failed).toContain('What to do:');
    expect((await testAudit()).filter((r) => r.user_name === 'root')).toHaveLength(2);
  });

  it('shows a Test’s result after a redirect, so a refresh reloads the result and tests nothing again', async () => {
    const before = (await testAudit()).length;
    const posted = await admin.post(`/organisations/${ids.good}/test`, { _csrf: await admin.csrf() });
    expect(posted.status).toBe(303);
    const resultPath = posted.headers.get('location') ?? '';
    expect(resultPath).toMatch(/^\/organisations\?test=[\w-]+$/);
    const tested = await testAudit();
    expect(tested).toHaveLength(before + 2);
    // The browser's refresh repeats the GET it was redirected to: the same result, no LRS call, no audit.
    for (let i = 0; i < 3; i++) {
      const again = await admin.get(resultPath);
      expect(again.status).toBe(200);
      const page = await again.text();
      expect(page).toContain('data-ok="true"');
      expect(page).toContain('Test of 10000001 (Good College)');
    }
    expect(await testAudit()).toEqual(tested);
    // The result is the session's own: another administrator's session is told it is not kept.
    const other = createTestClient(base);
    expect((await other.logIn('root', PASSWORD)).status).toBe(303);
    const elsewhere = await (await other.get(resultPath)).text();
    expect(elsewhere).not.toContain('Test of 10000001');
    expect(elsewhere).toContain('That test’s result is no longer kept');
    expect(await testAudit()).toEqual(tested);
  });
});
