/**
 * The SQL of the figures Prometheus reads at each scrape of /metrics (src/support/scrape-metrics.ts
 * turns them into gauges). Each is cheap however many requests have finished: open requests are read
 * through request_open_idx, finished ones are counted as they finish, by the process's counters.
 */
import { FINISHED_BATCH_STATUSES, OPEN_STATUSES } from '../../db/schema.ts';
import { sqlList } from './sql-list.ts';
import type { Queryable } from './transaction.ts';

/**
 * Open requests by status, kind and organisation: an index-only scan of request_open_idx, so a scrape
 * costs the same with a million finished requests as with none (counting every request by status took
 * 240 ms per scrape at a million rows). Finished requests are counted as they finish, by
 * lrs_relay_request_outcomes_total, and those waiting for staff by lrs_relay_open_exceptions.
 */
export const OPEN_REQUESTS_SQL = `
  select status, kind, organisation_id, count(*)::int as n from lrs.request
   where status in ${sqlList(OPEN_STATUSES)} group by 1, 2, 3`;

export interface ScrapeFigures {
  openRequests: { status: string; kind: string; organisation_id: number; n: number }[];
  exceptions: { status: string; code: string; n: number }[];
  batches: { kind: string; status: string; n: number }[];
  /** Seconds since the oldest request of each open status last changed. */
  oldestRequests: { status: string; age: number }[];
  /** Seconds since the oldest unfinished batch of each kind was created. */
  oldestBatches: { kind: string; age: number }[];
  /** Every organisation: its code (UKPRN or reference) for labels, and its recorded certificate expiry. */
  organisations: { id: number; code: string; isDisabled: boolean; certificateNotAfter: Date | null }[];
}

export async function selectScrapeFigures(db: Queryable): Promise<ScrapeFigures> {
  const [r, e, b, oldR, oldB, orgs] = await Promise.all([
    db.query<{ status: string; kind: string; organisation_id: number; n: number }>(OPEN_REQUESTS_SQL),
    db.query<{ status: string; code: string; n: number }>(
      `select status, coalesce(last_code, '(none)') as code, count(*)::int as n from lrs.request
          where status in ('needs_action', 'failed') group by 1, 2`,
    ),
    db.query<{ kind: string; status: string; n: number }>(
      'select kind, status, count(*)::int as n from lrs.batch group by 1, 2',
    ),
    db.query<{ status: string; age: number }>(
      `select status, extract(epoch from now() - min(updated_at))::float8 as age from lrs.request
          where status in ${sqlList(OPEN_STATUSES)} group by 1`,
    ),
    db.query<{ kind: string; age: number }>(
      `select kind, extract(epoch from now() - min(created_at))::float8 as age from lrs.batch
          where status not in ${sqlList(FINISHED_BATCH_STATUSES)} group by 1`,
    ),
    db.query<{ id: number; code: string; isDisabled: boolean; certificateNotAfter: Date | null }>(
      `select id, coalesce(ukprn, organisation_ref, '?') as code, is_disabled as "isDisabled",
              certificate_not_after as "certificateNotAfter" from lrs.organisation order by id`,
    ),
  ]);
  return {
    openRequests: r.rows,
    exceptions: e.rows,
    batches: b.rows,
    oldestRequests: oldR.rows,
    oldestBatches: oldB.rows,
    organisations: orgs.rows,
  };
}
