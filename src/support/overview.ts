/** Figures for the dashboard overview page, limited to the actor's organisations. */
import { scopeOrganisations, type Actor } from './access.ts';
import type { SupportDb } from '../db/pool.ts';

export interface Overview {
  byStatus: { status: string; count: number }[];
  openByCode: { status: string; code: string; meaning: string | null; count: number }[];
  /** Requests finished in the last hour, by status. */
  lastHour: { status: string; count: number }[];
  /** LRS calls in the last hour, by operation (relay.* support actions excluded). */
  latency: { operation: string; calls: number; avgMs: number; p95Ms: number; maxMs: number }[];
  /** Requests finished in the last 24 hours per 10-minute slot (slot = its start, epoch seconds), by status. */
  finishedPerSlot: { slot: number; status: string; count: number }[];
  /** 95th percentile LRS call time per hour (slot = its start, epoch seconds) and operation, last 24 hours. */
  latencyPerHour: { slot: number; operation: string; p95Ms: number }[];
}

/** Slot lengths of the overview charts, seconds. */
export const FINISHED_SLOT_S = 600;
export const LATENCY_SLOT_S = 3600;

export async function getOverview(db: SupportDb, actor: Actor): Promise<Overview> {
  const scope = scopeOrganisations(actor);
  const [byStatus, openByCode, lastHour, latency, finishedPerSlot, latencyPerHour] = await Promise.all([
    db.pool.query(
      `select status, count(*)::int as count from lrs.request
        where $1::int[] is null or organisation_id = any($1::int[]) group by status order by count(*) desc`,
      [scope],
    ),
    db.pool.query(
      `select r.status, coalesce(r.last_code, '(none)') as code, rc.meaning, count(*)::int as count
         from lrs.request r left join lrs.response_code rc on rc.code = r.last_code
        where r.status not in ('succeeded', 'cancelled') and ($1::int[] is null or r.organisation_id = any($1::int[]))
        group by r.status, r.last_code, rc.meaning order by count(*) desc limit 30`,
      [scope],
    ),
    db.pool.query(
      `select status, count(*)::int as count from lrs.request
        where completed_at > now() - interval '1 hour' and ($1::int[] is null or organisation_id = any($1::int[]))
        group by status order by count(*) desc`,
      [scope],
    ),
    db.pool.query(
      `select operation, count(*)::int as calls, round(avg(duration_ms))::int as "avgMs",
              round(percentile_cont(0.95) within group (order by duration_ms))::int as "p95Ms", max(duration_ms)::int as "maxMs"
         from lrs.audit
        where created_at > now() - interval '1 hour' and operation not like 'relay.%'
          and ($1::int[] is null or organisation_id = any($1::int[]))
        group by operation order by operation`,
      [scope],
    ),
    db.pool.query(
      `select (floor(extract(epoch from completed_at) / $2) * $2)::float8 as slot, status, count(*)::int as count
         from lrs.request
        where completed_at > now() - interval '24 hours' and ($1::int[] is null or organisation_id = any($1::int[]))
        group by 1, 2`,
      [scope, FINISHED_SLOT_S],
    ),
    db.pool.query(
      `select (floor(extract(epoch from created_at) / $2) * $2)::float8 as slot, operation,
              round(percentile_cont(0.95) within group (order by duration_ms))::int as "p95Ms"
         from lrs.audit
        where created_at > now() - interval '24 hours' and operation not like 'relay.%'
          and ($1::int[] is null or organisation_id = any($1::int[]))
        group by 1, 2`,
      [scope, LATENCY_SLOT_S],
    ),
  ]);
  return {
    byStatus: byStatus.rows,
    openByCode: openByCode.rows,
    lastHour: lastHour.rows,
    latency: latency.rows,
    finishedPerSlot: finishedPerSlot.rows,
    latencyPerHour: latencyPerHour.rows,
  };
}
