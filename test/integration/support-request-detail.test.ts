/**
 * A request's page over HTTP, as a support officer reads it: a request's field problems as a table
 * (field, rule broken, and the value only for staff who may see the learner's personal data), and coded
 * values in words (gender, LRS learner status, the request's kind) in the possible-match comparison and
 * the details sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { createTestClient, type TestClient } from '../e2e/http-client.ts';
import { PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('dashboard request page', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let s: Seeded;
  /** alice may see org A's personal data; root (admin, no organisation of its own) may not. */
  let alice: TestClient;
  let root: TestClient;
  let refused = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-request-detail-test' });
    s = await seedSupportData(database.pool);
    // A registration the relay refused before sending: two fields broke their rules.
    const r = await database.pool.query<{ id: number }>(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, completed_at)
       values ($1, 'mis.user', 'register', 'STU-BAD', $2::jsonb, 'rejected', 'LOCAL_VALIDATION', now()) returning id`,
      [
        s.orgA,
        JSON.stringify({
          givenName: 'Zenobia',
          familyName: 'Quist',
          dateOfBirth: '2005-13-01',
          gender: '7',
          lastKnownPostCode: 'QQ99 9QQ',
        }),
      ],
    );
    refused = r.rows[0]!.id;
    await database.pool.query(
      `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, problems)
       values ($1, $2, 'LOCAL_VALIDATION', 'relay', 'data_error', $3::jsonb)`,
      [
        refused,
        s.orgA,
        JSON.stringify([
          { field: 'learner.dateOfBirth', message: 'must be a real date (month 01–12)' },
          { field: 'gender', message: "Invalid enum value. Expected '0' | '1' | '2' | '9', received '7'" },
          { field: 'learner.lastKnownPostCode', message: 'QQ99 9QQ must be a UK postcode such as CV4 9EE' },
        ]),
      ],
    );
    let base: string;
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

  const tableOf = (page: string, cls: string) => {
    const m = new RegExp(`<table[^>]*class="${cls}"[\\s\\S]*?</table>`).exec(page);
    expect(m, `table.${cls}`).not.toBeNull();
    return m![0];
  };
  const rowOf = (table: string, field: string) => {
    const m = new RegExp(`<tr data-field="${field.replaceAll('.', '\\.')}">[\\s\\S]*?</tr>`).exec(table);
    expect(m, `row ${field}`).not.toBeNull();
    return m![0];
  };

  it('shows field problems as a table of field, rule and value to staff who may see the personal data', async () => {
    const page = await (await alice.get(`/requests/${refused}`)).text();
    expect(page).not.toContain('<pre>');
    const table = tableOf(page, 'field-problems');
    expect(table).toContain(
      '<th scope="col">Field</th><th scope="col">Rule broken</th><th scope="col">Value sent</th>',
    );
    const dob = rowOf(table, 'learner.dateOfBirth');
    expect(dob).toContain('Date of birth');
    expect(dob).toContain('must be a real date (month 01–12)');
    expect(dob).toContain('<td class="value">2005-13-01</td>');
    expect(rowOf(table, 'gender')).toContain('<td class="value">7</td>');
    expect(rowOf(table, 'learner.lastKnownPostCode')).toContain('<td class="value">QQ99 9QQ</td>');
  });

  it('shows the fields and rules but never the values to staff without the personal-data grant', async () => {
    const res = await root.get(`/requests/${refused}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const table = tableOf(page, 'field-problems');
    expect(table).not.toContain('Value sent');
    expect(rowOf(table, 'learner.dateOfBirth')).toContain('must be a real date (month 01–12)');
    expect(rowOf(table, 'gender')).toContain('Invalid enum value');
    expect(rowOf(table, 'learner.lastKnownPostCode')).toContain('must be a UK postcode');
    for (const secret of ['2005-13-01', 'QQ99 9QQ', "received '7'", 'Zenobia', 'Quist'])
      expect(page, secret).not.toContain(secret);
    expect(page).toContain('The values are not shown');
    // The JSON API for scripts holding the same session says no more than the page.
    const api = await (await root.get(`/api/requests/${refused}`)).text();
    expect(api).toContain('must be a real date (month 01–12)');
    for (const secret of ['2005-13-01', 'QQ99 9QQ', "received '7'", 'Zenobia', 'Quist'])
      expect(api, secret).not.toContain(secret);
  });

  it('shows gender and other coded values in words in the possible-match comparison and the details sent', async () => {
    const page = await (await alice.get(`/requests/${s.possible}`)).text();
    const match = tableOf(page, 'match');
    const gender = rowOf(match, 'gender');
    expect(gender).toContain('<td>Female (2)</td>');
    expect(gender).not.toMatch(/<td[^>]*>2<\/td>/);
    const sent = tableOf(page, 'payload');
    expect(rowOf(sent, 'gender')).toContain('Female (2)');
    expect(page).toContain('<tr><th>Kind</th><td>Find by details (one call at a time)</td></tr>');
  });
});
