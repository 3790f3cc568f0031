/**
 * Figures for the dashboard overview page, limited to the actor's organisations, over a chosen range:
 * the last hour, 6 hours, 24 hours or 7 days, each cut into buckets of a length that fits it (about 60
 * to 85 a chart), the same buckets for every chart so they share one time axis.
 */
import { scopeOrganisations, type Actor } from './access.ts';
import type { SupportDb } from '../db/pool.ts';
import { selectOpenedExceptions, selectOverview, type Buckets, type Overview } from '../db/support-reads.ts';

export type { Buckets, OpenedExceptions, Overview } from '../db/support-reads.ts';

/** The ranges a person can choose (`?range=`), with their bucket and time-axis tick lengths, seconds. */
export const OVERVIEW_RANGES = {
  '1h': { label: '1 hour', rangeS: 3600, bucketS: 60, tickS: 600, ticks: 'clock' },
  '6h': { label: '6 hours', rangeS: 6 * 3600, bucketS: 300, tickS: 3600, ticks: 'clock' },
  '24h': { label: '24 hours', rangeS: 24 * 3600, bucketS: 1200, tickS: 3 * 3600, ticks: 'clock' },
  '7d': { label: '7 days', rangeS: 7 * 86_400, bucketS: 7200, tickS: 86_400, ticks: 'day' },
} as const;

export type OverviewRange = keyof typeof OVERVIEW_RANGES;
export const DEFAULT_RANGE: OverviewRange = '24h';

/** The range a query string names, or the default (anything else is ignored, never echoed). */
export function readOverviewRange(v: unknown): OverviewRange {
  return typeof v === 'string' && Object.hasOwn(OVERVIEW_RANGES, v) ? (v as OverviewRange) : DEFAULT_RANGE;
}

/** The buckets of a range ending with the one that holds `now`. */
export function bucketsOf(range: OverviewRange, now: Date): Buckets {
  const { rangeS, bucketS } = OVERVIEW_RANGES[range];
  const count = rangeS / bucketS;
  const last = Math.floor(now.getTime() / 1000 / bucketS) * bucketS;
  return { startS: last - (count - 1) * bucketS, bucketS, count };
}

export async function getOverview(
  db: SupportDb,
  actor: Actor,
  range: OverviewRange,
  now: Date,
): Promise<Overview & { buckets: Buckets }> {
  const buckets = bucketsOf(range, now);
  return { ...(await selectOverview(db.pool, scopeOrganisations(actor), buckets)), buckets };
}

/** The exceptions open now by when they opened, over the last 7 days, for the exceptions page's sparklines. */
export async function getExceptionTrend(db: SupportDb, actor: Actor, now: Date) {
  const buckets = bucketsOf('7d', now);
  return { buckets, rows: await selectOpenedExceptions(db.pool, scopeOrganisations(actor), buckets) };
}

/**
 * How many of the exceptions open now were already open at the end of each bucket: those opened before
 * the range, plus those opened in each bucket so far. One closed since (retried, cancelled, resolved) is
 * not counted: the relay keeps no history of closed exceptions' states.
 */
export function openOverTime(rows: readonly { bucket: number; count: number }[], count: number): number[] {
  const opened = Array.from({ length: count }, () => 0);
  let before = 0;
  for (const r of rows) {
    if (r.bucket < 0) before += r.count;
    else if (r.bucket < count) opened[r.bucket] = (opened[r.bucket] ?? 0) + r.count;
  }
  let running = before;
  return opened.map((n) => (running += n));
}
