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
 * How many exceptions were open at the end of each bucket: each counts from the bucket it opened in (or
 * the range's start) up to the one before the bucket it closed in (retried, cancelled, resolved), or to
 * now while it is open.
 */
export function openOverTime(
  rows: readonly { bucket: number; closedBucket?: number | null | undefined; count: number }[],
  count: number,
): number[] {
  // +n where a period starts counting, -n where it stops; the running sum is what was open.
  const change = Array.from({ length: count }, () => 0);
  for (const r of rows) {
    const from = Math.max(0, r.bucket);
    const to = r.closedBucket ?? count;
    if (from >= count || to <= from) continue;
    change[from] = (change[from] ?? 0) + r.count;
    if (to < count) change[to] = (change[to] ?? 0) - r.count;
  }
  let running = 0;
  return change.map((n) => (running += n));
}
