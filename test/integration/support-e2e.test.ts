/**
 * End to end in headless Chromium (Debian's package, installed by the setup when missing — never
 * skipped): a staff member logs in, finds an exception, reads its resolution note, retries it,
 * resolves a possible match, opens the learner's history, and screenshots are saved to tmp/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../e2e/ensure-chromium.ts';
import { CANDIDATES, PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'tmp');

describe('support dashboard in a browser', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let browser: Browser;
  let base: string;
  let s: Seeded;

  beforeAll(async () => {
    const executablePath = ensureChromium();
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-e2e-test' });
    s = await seedSupportData(database.pool);
    ({ dashboard, url: base } = await startTestDashboard({ db: database, config: { QUEUE_PREFIX: 'e2e' } }));
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], headless: true });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await database?.close();
    await tdb?.drop();
  });

  it('logs in, reads a resolution note, retries an exception and resolves a possible match', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/exceptions`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${base}/exceptions`);

      // The too-many-matches exception and what to do about it.
      const group = page.locator('section.exception[data-code="WSRC0002"]');
      await expect.poll(() => group.count()).toBe(1);
      expect(await group.locator('.resolution').innerText()).toContain(s.resolutionWsrc0002);

      // Open its request, read the note again, retry it.
      await group.getByRole('link', { name: /1 request/ }).click();
      await page.getByRole('link', { name: String(s.tooMany), exact: true }).click();
      await page.waitForURL(`${base}/requests/${s.tooMany}`);
      expect(await page.locator('.resolution').innerText()).toContain(s.resolutionWsrc0002);
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.waitForURL(/done=retried/);
      expect(await page.getByRole('status').innerText()).toContain('1 request(s) sent back to the queue');
      const retried = await database.pool.query(
        'select status, attempts, last_code from lrs.request where id = $1',
        [s.tooMany],
      );
      expect(retried.rows[0]).toEqual({ status: 'pending', attempts: 0, last_code: null });

      // The possible match: the learner beside each candidate, differences highlighted; choose candidate 1.
      await page.goto(`${base}/requests/${s.possible}`);
      const match = page.locator('#possible-match');
      expect(await match.locator('tr[data-field="lastKnownPostCode"] td.diff').innerText()).toBe(
        CANDIDATES[0]!.lastKnownPostCode,
      );
      expect(await match.locator('tr[data-field="givenName"] td.diff').innerText()).toBe(
        CANDIDATES[1]!.givenName,
      );
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'support-possible-match.png'), fullPage: true });
      await match.getByRole('button', { name: 'Choose candidate 1' }).click();
      // Said in words and asked first: nothing has changed yet.
      expect(await page.locator('#confirm-what').innerText()).toContain(`ULN ${CANDIDATES[0]!.uln}`);
      expect(
        (await database.pool.query('select status from lrs.request where id = $1', [s.possible])).rows[0],
      ).toEqual({
        status: 'needs_action',
      });
      await page.getByRole('button', { name: `Yes, record ULN ${CANDIDATES[0]!.uln}` }).click();
      await page.waitForURL(/done=matched/);
      expect(await page.locator('.status').first().innerText()).toBe('Succeeded');
      const resolved = await database.pool.query(
        `select r.status, o.code, o.code_source, o.class, o.uln from lrs.request r join lrs.outcome o on o.request_id = r.id where r.id = $1`,
        [s.possible],
      );
      expect(resolved.rows[0]).toEqual({
        status: 'succeeded',
        code: 'STAFF_MATCHED',
        code_source: 'relay',
        class: 'success',
        uln: CANDIDATES[0]!.uln,
      });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'support-e2e.png'), fullPage: true });

      // From the request to the learner's history: the chosen ULN is now the learner's.
      await page.getByRole('link', { name: 'STU-POSSIBLE' }).click();
      await page.waitForURL(/\/learner\?/);
      expect(await page.locator('table.state tr', { hasText: 'ULN' }).first().innerText()).toContain(
        CANDIDATES[0]!.uln,
      );
      expect(await page.locator(`tr[data-request="${s.possible}"]`).innerText()).toContain('STAFF_MATCHED');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'support-learner.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
