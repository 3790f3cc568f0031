/**
 * The outbox relay's statements: claim pending single-call work (FOR UPDATE SKIP LOCKED, so several
 * relays can run). A claim marks its rows queued in the same statement; it runs inside the transaction
 * (inTransaction) that holds the row locks while the jobs are added, so the mark commits only once the
 * jobs exist, and a failed enqueue rolls the rows back to pending.
 */
import type pg from 'pg';
import { BATCH_ONLY_KINDS, SINGLE_CALL_KINDS, SINGLE_OR_BATCH_KINDS } from './kinds.ts';
import { planAsOneRow } from './plans.ts';
import { sqlArray, sqlList } from './sql-list.ts';

export interface ClaimedRequest {
  id: number;
  organisationId: number;
  priority: number;
}

/**
 * Pending single-mode rows, most urgent first (walks request_claim_single_idx), marked queued. Batch-only
 * kinds stay for the assembler. Locking and marking in one statement writes each row once (a separate
 * select ... for update, then update, wrote a lock and then a new row version, and took a round trip more).
 */
export const CLAIM_SINGLE_SQL = `
  update lrs.request r set status = 'queued', queued_at = now(), updated_at = now()
    from (select set_config('synchronous_commit', 'off', true)) as no_flush,
         (select id from lrs.request
           where status = 'pending' and mode = 'single' and kind not in ${sqlList(BATCH_ONLY_KINDS)}
             and (not_before is null or not_before <= now())
           order by priority, id
           limit $1
           for update skip locked) c
   where r.id = c.id and ${planAsOneRow('c.id')}
   returning r.id, r.organisation_id as "organisationId", r.priority`;

export async function claimSingleRequests(c: pg.PoolClient, limit: number): Promise<ClaimedRequest[]> {
  const r = await c.query({ name: 'lrs-claim-single', text: CLAIM_SINGLE_SQL, values: [limit] });
  return r.rows as ClaimedRequest[];
}

/**
 * The (organisation, kind) groups whose pending `auto` requests go as single calls: single-call kinds
 * that have no batch operation, and the kinds that can go either way while the group's backlog is at
 * most the threshold (counted up to threshold + 1 only, so a deep backlog costs no more than a shallow one).
 */
const AUTO_GROUPS_SQL = `
  select o.id as "organisationId", k.kind
    from lrs.organisation o
   cross join unnest(${sqlArray(SINGLE_CALL_KINDS)}) as k(kind)
   where exists (select 1 from lrs.request r
                  where r.status = 'pending' and r.mode = 'auto' and r.organisation_id = o.id and r.kind = k.kind)
     and (k.kind not in ${sqlList(SINGLE_OR_BATCH_KINDS)}
          or (select count(*) from (select 1 from lrs.request r
                                     where r.status = 'pending' and r.mode = 'auto' and r.organisation_id = o.id and r.kind = k.kind
                                     limit $1 + 1) backlog) <= $1)`;

export async function findSingleCallAutoGroups(
  c: pg.PoolClient,
  autoBatchThreshold: number,
): Promise<{ organisationId: number; kind: string }[]> {
  const r = await c.query({
    name: 'lrs-claim-auto-groups',
    text: AUTO_GROUPS_SQL,
    values: [autoBatchThreshold],
  });
  return r.rows as { organisationId: number; kind: string }[];
}

/** Pending auto rows of the given groups (walks request_claim_auto_idx per group), marked queued; commit as CLAIM_SINGLE_SQL. */
const CLAIM_AUTO_SQL = `
  update lrs.request r set status = 'queued', queued_at = now(), updated_at = now()
    from (select set_config('synchronous_commit', 'off', true)) as no_flush,
         (select c.id
            from unnest($2::int[], $3::text[]) as g(organisation_id, kind)
           cross join lateral (
             select id from lrs.request
              where status = 'pending' and mode = 'auto' and organisation_id = g.organisation_id and kind = g.kind
                and (not_before is null or not_before <= now())
              order by priority, id
              limit $1
              for update skip locked) c
           limit $1) c
   where r.id = c.id
   returning r.id, r.organisation_id as "organisationId", r.priority`;

export async function claimAutoRequests(
  c: pg.PoolClient,
  limit: number,
  groups: readonly { organisationId: number; kind: string }[],
): Promise<ClaimedRequest[]> {
  const r = await c.query(CLAIM_AUTO_SQL, [
    limit,
    groups.map((g) => g.organisationId),
    groups.map((g) => g.kind),
  ]);
  return r.rows as ClaimedRequest[];
}

/**
 * Subscribes a dedicated connection to the outbox's wake-ups: NOTIFY lrs_request, sent by
 * lrs.submit_request, retries, support actions and batch fan-out (notifyOutbox).
 */
export async function listenForOutboxWakeUps(c: pg.ClientBase): Promise<void> {
  await c.query('listen lrs_request');
}
