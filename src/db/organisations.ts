/**
 * Reads of lrs.organisation by the workers and the dashboard. The organisations' store, through which
 * staff and the CLI add and change them, is src/orgs/store.ts.
 */
import type { Queryable } from './transaction.ts';

/** What a worker of an organisation's queue is sized by. */
export interface OrganisationLimits {
  id: number;
  concurrencyShare: number;
  /** Calls per second, or null for the relay's default. */
  rateLimitPerSecond: number | null;
}

/** Every organisation that is not disabled, with its limits. */
export async function listEnabledOrganisationLimits(pool: Queryable): Promise<OrganisationLimits[]> {
  const r = await pool.query<OrganisationLimits>(
    `select id, concurrency_share as "concurrencyShare", rate_limit_per_second as "rateLimitPerSecond"
       from lrs.organisation where not is_disabled`,
  );
  return r.rows;
}

/** Every organisation's id, disabled ones too, in order. */
export async function listOrganisationIds(pool: Queryable): Promise<number[]> {
  const r = await pool.query<{ id: number }>('select id from lrs.organisation order by id');
  return r.rows.map((row) => row.id);
}
