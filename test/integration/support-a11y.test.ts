/**
 * Every dashboard page in headless Chromium at 1366 px and at 390 px wide (a phone): axe-core finds no
 * serious or critical accessibility violation, nothing overflows the phone's width but a table's own
 * scroll box, and screenshots of each are saved to tmp/a11y/ as artifacts. A possible match is resolved
 * with the keyboard alone, through the skip link and the confirmation.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../e2e/ensure-chromium.ts';
import { CANDIDATES, PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const SHOTS = join(import.meta.dirname, '..', '..', 'tmp', 'a11y');
const WIDTHS = [1366, 390] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

describe('dashboard accessibility', () => {
  let tdb: TestDatabase;
  let database: Database;
  let dashboard: Dashboard;
  let browser: Browser;
  let base: string;
  let s: Seeded;
  let axeSource: string;

  beforeAll(async () => {
    const executablePath = ensureChromium();
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-a11y-test' });
    s = await seedSupportData(database.pool);
    ({ dashboard, url: base } = await startTestDashboard({ db: database, config: { QUEUE_PREFIX: 'a11y' } }));
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], headless: true });
    await mkdir(SHOTS, { recursive: true });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
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
    const pages: [string, string][] = [
      ['overview', '/'],
      ['exceptions', '/exceptions'],
      ['requests', '/requests'],
      ['request', `/requests/${s.tooMany}`],
      ['possible-match', `/requests/${s.possible}`],
      ['learner-lookup', '/learner'],
      ['learner', `/learner?org=${s.orgA}&id=STU-POSSIBLE`],
      ['organisations', '/organisations'],
      ['batches', '/batches'],
    ];
    const found: string[] = [];
    for (const width of WIDTHS) {
      // The CSP forbids every script, axe's own included: bypassed for the checker only.
      const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
      const page = await context.newPage();
      try {
        await logIn(page);
        for (const [name, path] of [['login', '/login'] as [string, string], ...pages]) {
          if (name === 'login') {
            const anon = await context
              .browser()!
              .newContext({ viewport: { width, height: 900 }, bypassCSP: true });
            const p = await anon.newPage();
            await p.goto(`${base}/login`);
            found.push(...(await check(p, name, width)));
            await anon.close();
            continue;
          }
          const r = await page.goto(`${base}${path}`);
          expect(r?.status(), path).toBe(200);
          found.push(...(await check(page, name, width)));
        }
      } finally {
        await context.close();
      }
    }
    expect(found).toEqual([]);
  }, 300_000);

  async function check(page: Page, name: string, width: number): Promise<string[]> {
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    await page.addScriptTag({ content: axeSource });
    const violations = (await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(o: object): Promise<{ violations: unknown[] }> } })
        .axe;
      return (await axe.run({ resultTypes: ['violations'] })).violations;
    })) as AxeViolation[];
    const problems = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${name} @${width}: ${v.id} (${v.impact}) ${v.help} — ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`,
      );
    // At phone width the page itself must not scroll sideways; wide tables scroll in their own box.
    const overflow = (await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    )) as number;
    if (overflow > 1) problems.push(`${name} @${width}: the page is ${overflow}px wider than the screen`);
    return problems;
  }

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
      // The confirmation's button has the focus: Enter confirms.
      expect(await page.evaluate('document.activeElement?.textContent')).toBe(
        `Yes, record ULN ${CANDIDATES[0]!.uln}`,
      );
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
