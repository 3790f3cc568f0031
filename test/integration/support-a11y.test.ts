/**
 * Every dashboard page in headless Chromium at 1366 px and at 390 px wide (a phone): axe-core finds no
 * serious or critical accessibility violation, nothing overflows the phone's width but a table's own
 * scroll box, and screenshots of each are saved to tmp/a11y/ as artifacts (test/e2e/page-checks.ts).
 * The queues live in Redis, so /queues is the page that links to bull-board (which is not held to axe:
 * a third-party app). A possible match is resolved with the keyboard alone, through the skip link and
 * the confirmation.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../e2e/ensure-chromium.ts';
import { checkEveryPage, readAxeSource } from '../e2e/page-checks.ts';
import { CANDIDATES, PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTestQueueConnection } from '../helpers/queues.ts';
import { createQueuePrefix, deletePrefixKeys } from '../helpers/redis.ts';

const SHOTS = join(import.meta.dirname, '..', '..', 'tmp', 'a11y');

describe('dashboard accessibility', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let browser: Browser;
  let base: string;
  let s: Seeded;
  let axeSource: string;
  let queueConnection: QueueConnection;
  const prefix = createQueuePrefix();

  beforeAll(async () => {
    const executablePath = ensureChromium();
    axeSource = await readAxeSource();
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-a11y-test' });
    s = await seedSupportData(database.pool);
    queueConnection = createTestQueueConnection({ backend: 'redis', prefix, databaseUrl: tdb.url });
    // The queues page with something to show: work waiting in one queue, another paused (alice sees both).
    const a = queueConnection.createQueue(`single-${s.orgA}`);
    const b = queueConnection.createQueue('scheduler');
    await a.add('lrs.request', { requestId: s.pending }, { jobId: 'a11y-1', priority: 5 });
    await b.pause();
    await Promise.all([a.close(), b.close()]);
    ({ dashboard, url: base } = await startTestDashboard({
      db: database,
      queueConnection,
      config: { QUEUE_PREFIX: prefix },
    }));
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], headless: true });
    await mkdir(SHOTS, { recursive: true });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await queueConnection?.close();
    await deletePrefixKeys(prefix);
    await database?.close();
    await tdb?.drop();
  });

  async function logIn(page: Page): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  }

  it('has no serious or critical violation on any page, at 1366 px and at 390 px', async () => {
    const pages = [
      ['overview', '/'],
      ['exceptions', '/exceptions'],
      ['requests', '/requests'],
      ['request', `/requests/${s.tooMany}`],
      ['possible-match', `/requests/${s.possible}`],
      ['learner-lookup', '/learner'],
      ['learner', `/learner?org=${s.orgA}&id=STU-POSSIBLE`],
      ['organisations', '/organisations'],
      ['batches', '/batches'],
      ['queues', '/queues'],
    ] as const;
    const found = await checkEveryPage(browser, { base, pages, logIn, shots: SHOTS, axeSource });
    expect(found).toEqual([]);
  }, 300_000);

  it('resolves a possible match with the keyboard alone', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    try {
      await logIn(page);
      await page.goto(`${base}/requests/${s.possible}`);
      // The skip link is the first stop and lands on the content.
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      await page.keyboard.press('Enter');
      let label = '';
      for (let i = 0; i < 80 && label !== 'Choose candidate 1'; i++) {
        await page.keyboard.press('Tab');
        label =
          ((await page.evaluate('document.activeElement?.textContent?.trim()')) as string | undefined) ?? '';
      }
      expect(label).toBe('Choose candidate 1');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/requests/${s.possible}/resolve`);
      // The confirmation's button has the focus: Enter confirms. The browser applies `autofocus` at its
      // next rendering step, which can come after the load event, so the focus is polled.
      await expect
        .poll(() => page.evaluate('document.activeElement?.textContent'))
        .toBe(`Yes, record ULN ${CANDIDATES[0]!.uln}`);
      await page.keyboard.press('Enter');
      await page.waitForURL(/done=matched/);
      const row = await database.pool.query('select status, last_code from lrs.request where id = $1', [
        s.possible,
      ]);
      expect(row.rows[0]).toEqual({ status: 'succeeded', last_code: 'STAFF_MATCHED' });
    } finally {
      await context.close();
    }
  });
});
