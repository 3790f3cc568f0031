/** Figures for the dashboard overview page, limited to the actor's organisations. */
import { scopeOrganisations, type Actor } from './access.ts';
import type { SupportDb } from '../db/pool.ts';
import { selectOverview, type Overview } from '../db/support-reads.ts';

export type { Overview } from '../db/support-reads.ts';

/** Slot lengths of the overview charts, seconds. */
export const FINISHED_SLOT_S = 600;
export const LATENCY_SLOT_S = 3600;

export async function getOverview(db: SupportDb, actor: Actor): Promise<Overview> {
  return selectOverview(db.pool, scopeOrganisations(actor), {
    finishedS: FINISHED_SLOT_S,
    latencyS: LATENCY_SLOT_S,
  });
}
