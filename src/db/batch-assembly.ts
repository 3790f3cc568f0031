/**
 * The batch assembler's statements: which (organisation, kind) groups have batch work due, claiming a
 * group's pending requests (FOR UPDATE SKIP LOCKED, so several processes can assemble at once), and the
 * achievement verification gate's look-ups and holds. The claims run inside inTransaction.
 */
import type pg from 'pg';
import { OPEN_STATUSES } from '../../db/schema.ts';
import { BATCH_ONLY_KINDS, BATCHABLE_KINDS, type BatchableKind } from './kinds.ts';
import { ON_DEDUPE_KEY_CONFLICT, statusAmong } from './requests.ts';
import { sqlArray, sqlList } from './sql-list.ts';
import type { Queryable } from './transaction.ts';

const BATCH_ONLY = sqlList(BATCH_ONLY_KINDS);

/** Requests the assembler may take: mode batch, batch-only kinds whatever their mode, mode auto when $3 says the backlog is deep. */
const CLAIMABLE = `(mode = 'batch' or kind in ${BATCH_ONLY} or (mode = 'auto' and $3::boolean))`;

export interface BatchGroup {
  organisationId: number;
  kind: BatchableKind;
  /** Pending auto-mode requests of a kind that can also go singly, counted up to the cap asked for. */
  autoCount: number;
  defaultUserName: string;
  ukprn: string | null;
}

/** Where a group's next claim starts: after the highest id the assembler claimed in it. */
export interface ClaimCursor {
  organisationId: number;
  kind: BatchableKind;
  afterId: number;
}

/**
 * Every (enabled organisation, batchable kind) group that may have claimable pending work: a pending
 * batch-mode (or batch-only kind) request after the group's claim cursor, or more than `autoThreshold`
 * pending auto-mode ones. Nothing is counted beyond `autoThreshold + 1`, and each group is looked at
 * from its cursor on, so a pass costs the same with a million requests pending (or claimed tonight and
 * not yet vacuumed away) as with a hundred: a count of the backlog per group, per pass, grew with the
 * night (docs/batches.md "What grows with the night"; test/integration/batch-plans.test.ts).
 *
 * Both look-ups are written so that only their index can serve them, whatever the statistics say. The
 * organisation and kind come from the outer row, so Postgres plans each look-up once for every group; once
 * autoanalyze has seen a night's backlog (nearly every row pending batch work), "stop at the first match"
 * looked cheapest by reading the table, or the primary key, from the start: through every request claimed
 * before, and the whole table for a kind with no work (37,399 blocks a pass at 1,000,000 learners). The
 * batch-work look-up starts at the cursor in request_open_idx with a row comparison on (kind, id) and
 * stops after the kind; the auto count is ordered as request_claim_auto_idx is (priority, id), an order
 * no other path gives without reading every match.
 */
export async function findBatchGroups(
  db: Queryable,
  o: { autoThreshold: number; cursors: readonly ClaimCursor[] },
): Promise<BatchGroup[]> {
  const r = await db.query(
    `select g.* from (
       select o.id as "organisationId", k.kind, o.default_user_name as "defaultUserName", o.ukprn,
              (select r.id from lrs.request r
                where r.status = 'pending' and r.organisation_id = o.id
                  and (r.kind, r.id) > (k.kind, coalesce(c.after, 0)) and r.kind <= k.kind
                  and (r.mode = 'batch' or r.kind in ${BATCH_ONLY})
                  and (r.not_before is null or r.not_before <= now())
                order by r.kind, r.id
                limit 1) is not null as "batchWork",
              (select count(*) from (select 1 from lrs.request r
                                      where r.status = 'pending' and r.organisation_id = o.id and r.kind = k.kind
                                        and r.mode = 'auto' and r.kind not in ${BATCH_ONLY}
                                        and r.id > coalesce(c.after, 0)
                                        and (r.not_before is null or r.not_before <= now())
                                      order by r.priority, r.id
                                      limit $2::int + 1) a)::int as "autoCount"
         from lrs.organisation o
        cross join unnest(${sqlArray(BATCHABLE_KINDS)}) as k(kind)
         left join jsonb_to_recordset($1::jsonb) as c(org bigint, kind text, after bigint)
                on c.org = o.id and c.kind = k.kind
        where not o.is_disabled
       offset 0
     ) g where g."batchWork" or g."autoCount" > $2::int
      order by g."organisationId", g.kind`,
    [
      JSON.stringify(o.cursors.map((x) => ({ org: x.organisationId, kind: x.kind, after: x.afterId }))),
      o.autoThreshold,
    ],
  );
  return (r.rows as (BatchGroup & { batchWork: boolean })[]).map(({ batchWork: _, ...g }) => g);
}

export interface ClaimedForBatch {
  id: number;
  requestedBy: string;
  payload: unknown;
  /** When the MIS submitted it (a registration's age rule is judged on that date). */
  createdAt: Date;
  /** How long the request has waited, ms. */
  waitedMs: number;
}

/**
 * Per organisation, the most achievements the LRS has shown it takes in one request: half the smallest batch
 * it refused with WSEC0046 (more than it allows); organisations it never refused are absent. Derived from
 * the batches themselves, so every process agrees and a purge of old batches only costs one more refusal;
 * read from a partial index of the refused batches (migration 0013), once per assembly pass.
 */
export async function achievementCaps(db: Queryable): Promise<Map<number, number>> {
  const r = await db.query(
    `select organisation_id as "organisationId", min(record_count)::int as n from lrs.batch
      where kind = 'achievement' and last_code = 'WSEC0046'
      group by organisation_id`,
  );
  return new Map(
    (r.rows as { organisationId: number; n: number }[]).map((x) => [
      Number(x.organisationId),
      Math.max(1, Math.floor(x.n / 2)),
    ]),
  );
}

/** Locks up to `limit` claimable pending requests of a group with ids above `afterId`, oldest first. */
export async function claimForBatch(
  c: pg.PoolClient,
  g: { organisationId: number; kind: BatchableKind },
  o: { auto: boolean; limit: number; afterId: number },
): Promise<ClaimedForBatch[]> {
  const r = await c.query(
    `select id, requested_by as "requestedBy", payload, created_at as "createdAt",
            (extract(epoch from now() - created_at) * 1000)::float8 as "waitedMs"
       from lrs.request
      where status = 'pending' and organisation_id = $1 and kind = $2
        and (not_before is null or not_before <= now())
        and ${CLAIMABLE}
        and id > $5
      order by id
      limit $4
      for update skip locked`,
    [g.organisationId, g.kind, o.auto, o.limit, o.afterId],
  );
  return r.rows as ClaimedForBatch[];
}

/** The verified names are the ones the achievement carries (a ULN verified under other names proves nothing about these). */
const SAME_NAMES = `upper(btrim(v.payload->>'givenName')) = upper(btrim(a.payload->>'givenName'))
  and upper(btrim(v.payload->>'familyName')) = upper(btrim(a.payload->>'familyName'))`;

export interface VerificationState {
  id: number;
  /** A succeeded verify (WSVRC001/WSVRC002) of the same organisation for this ULN and names. */
  verified: boolean;
  /** A verify request for the same learner is still open. */
  openVerify: boolean;
  /** The gate verify made for this achievement (dedupe key gate:<id>), if any: its last code and status. */
  gateCode: string | null;
  gateStatus: string | null;
}

/** The verification facts the gate decides on, for each achievement id. */
export async function selectVerificationState(
  db: Queryable,
  ids: readonly number[],
): Promise<VerificationState[]> {
  const r = await db.query(
    `select a.id,
            exists (select 1 from lrs.request v join lrs.outcome o on o.request_id = v.id
                     where o.uln = a.payload->>'uln' and v.organisation_id = a.organisation_id and v.kind = 'verify'
                       and v.status = 'succeeded' and o.code in ('WSVRC001', 'WSVRC002') and ${SAME_NAMES})
            or exists (select 1 from lrs.request v
                        where v.organisation_id = a.organisation_id and v.mis_learner_id = a.mis_learner_id and v.kind = 'verify'
                          and v.status = 'succeeded' and v.last_code in ('WSVRC001', 'WSVRC002')
                          and v.payload->>'uln' = a.payload->>'uln' and ${SAME_NAMES}) as verified,
            exists (select 1 from lrs.request v
                     where v.organisation_id = a.organisation_id and v.mis_learner_id = a.mis_learner_id and v.kind = 'verify'
                       and v.status in ${sqlList(OPEN_STATUSES)}) as "openVerify",
            g.last_code as "gateCode", g.status as "gateStatus"
       from lrs.request a
       left join lrs.request g on g.organisation_id = a.organisation_id and g.dedupe_key = 'gate:' || a.id
      where a.id = any($1::bigint[])`,
    [ids],
  );
  return r.rows as VerificationState[];
}

/** Creates the gate verify requests (from each achievement's own ULN, names, date of birth, gender) and wakes the relays. */
export async function insertGateVerifies(db: Queryable, achievementIds: readonly number[]): Promise<void> {
  await db.query(
    `insert into lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload, dedupe_key)
     select a.organisation_id, a.requested_by, 'verify', 'auto', 5, a.mis_learner_id,
            jsonb_strip_nulls(jsonb_build_object('uln', a.payload->'uln', 'givenName', a.payload->'givenName',
              'familyName', a.payload->'familyName', 'dateOfBirth', a.payload->'dateOfBirth', 'gender', a.payload->'gender')),
            'gate:' || a.id
       from lrs.request a where a.id = any($1::bigint[])
     ${ON_DEDUPE_KEY_CONFLICT} do nothing`,
    [achievementIds],
  );
  await db.query(`select pg_notify('lrs_request', 'gate')`);
}

/** Holds pending (or already held) achievements until their learner is verified. */
export async function holdAchievements(db: Queryable, ids: readonly number[], code: string): Promise<void> {
  await db.query(
    `update lrs.request set status = 'held', last_code = $2, updated_at = now(),
            last_error = 'Held: the learner has not been verified against the LRS yet; a verify request was made and the achievement is sent once it succeeds.'
      where id = any($1::bigint[]) and ${statusAmong('pending', 'held')}`,
    [ids, code],
  );
}

/** Locks up to `limit` held achievements for review, oldest first (others reviewing skip them). */
export async function lockHeldAchievements(db: Queryable, limit: number): Promise<number[]> {
  const r = await db.query(
    `select id from lrs.request where status = 'held' and kind = 'achievement' order by id limit $1 for update skip locked`,
    [limit],
  );
  return (r.rows as { id: number }[]).map((x) => Number(x.id));
}

/** Held achievements whose learner is now verified go back to pending for the assembler. */
export async function releaseHeld(db: Queryable, ids: readonly number[]): Promise<void> {
  await db.query(
    `update lrs.request set status = 'pending', last_code = null, last_error = null, updated_at = now()
      where id = any($1::bigint[]) and ${statusAmong('held')}`,
    [ids],
  );
}
