/**
 * The browser acceptance checks every dashboard page gets, in one place: at each width a screenshot
 * (saved as an artifact), axe-core with no serious or critical violation, and a page no wider than the
 * screen (a wide table scrolls in its own box). Used by support-a11y.test.ts (seeded data) and
 * support-demo-browser.test.ts (the demo).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

/** A desktop and a phone. */
export const WIDTHS = [1366, 390] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's browser build, to inject into each page. */
export function readAxeSource(): Promise<string> {
  return readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}

/**
 * Screenshots `page` to `<shots>/<label>-<width>.png`, runs axe-core on it and measures its width;
 * returns one line per problem (none when the page passes). The page's context must bypass the CSP,
 * which forbids every script, axe's own included.
 */
export async function checkPage(
  page: Page,
  o: { label: string; width: number; shots: string; axeSource: string },
): Promise<string[]> {
  const where = `${o.label} @${o.width}`;
  await page.screenshot({ path: join(o.shots, `${o.label}-${o.width}.png`), fullPage: true });
  await page.addScriptTag({ content: o.axeSource });
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: object): Promise<{ violations: unknown[] }> } })
      .axe;
    return (await axe.run({ resultTypes: ['violations'] })).violations;
  })) as AxeViolation[];
  const problems = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help} — ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`,
    );
  // At phone width the page itself must not scroll sideways; wide tables scroll in their own box.
  const overflow = (await page.evaluate(
    'document.documentElement.scrollWidth - window.innerWidth',
  )) as number;
  if (overflow > 1) problems.push(`${where}: the page is ${overflow}px wider than the screen`);
  return problems;
}

/**
 * Visits the login page (logged out) and then every page of `pages` (logged in by `logIn`) at each
 * width, each answering 200, and checks each with checkPage. `also` runs after the pages at each width
 * with the logged-in page, for what a test checks besides. Returns every problem found.
 */
export async function checkEveryPage(
  browser: Browser,
  o: {
    base: string;
    pages: readonly (readonly [label: string, path: string])[];
    logIn: (page: Page) => Promise<void>;
    shots: string;
    axeSource: string;
    also?: (page: Page, width: number) => Promise<void>;
  },
): Promise<string[]> {
  const found: string[] = [];
  for (const width of WIDTHS) {
    const check = (page: Page, label: string) =>
      checkPage(page, { label, width, shots: o.shots, axeSource: o.axeSource });
    const anonymous = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
    try {
      const loginPage = await anonymous.newPage();
      await loginPage.goto(`${o.base}/login`);
      found.push(...(await check(loginPage, 'login')));
    } finally {
      await anonymous.close();
    }
    const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
    try {
      const page = await context.newPage();
      await o.logIn(page);
      for (const [label, path] of o.pages) {
        const r = await page.goto(`${o.base}${path}`);
        expect(r?.status(), path).toBe(200);
        found.push(...(await check(page, label)));
      }
      await o.also?.(page, width);
    } finally {
      await context.close();
    }
  }
  return found;
}
