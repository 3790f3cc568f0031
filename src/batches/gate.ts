/**
 * The achievement verification gate: an achievement is only sent for a learner whose details the LRS has
 * verified. Verified = a succeeded verify request (WSVRC001 or WSVRC002) of the same organisation for the
 * same ULN and names (matched by ULN, or by MIS learner id and ULN). An unverified achievement is held and a
 * verify request is created for it (dedupe key `gate:<achievement id>`, mode auto); when that verify is
 * terminal the achievement is released (verified) or settled needs_action NOT_VERIFIED.
 */
import type pg from 'pg';
import { explainCode, PIPELINE_CODES } from '../codes/explain.ts';
import type { Settlement } from './store.ts';
import { statusAmong } from '../requests/store.ts';
import { resolutionFor } from '../requests/resolve.ts';

export type GateDecision = 'verified' | 'hold' | 'create_verify' | 'not_verified';

/** The verified names are the ones the achievement carries (a ULN verified under other names proves nothing about these). */
const SAME_NAMES = `upper(btrim(v.payload->>'givenName')) = upper(btrim(a.payload->>'givenName'))
  and upper(btrim(v.payload->>'familyName')) = upper(btrim(a.payload->>'familyName'))`;

interface GateRow {
  id: number;
  verified: boolean;
  openVerify: boolean;
  gateCode: string | null;
  gateStatus: string | null;
}

/** For each achievement id: verified, still waiting, needing a verify, or failed verification (with the code). */
export async function checkVerification(
  c: Pick<pg.PoolClient, 'query'>,
  ids: readonly number[],
): Promise<Map<number, { decision: GateDecision; code?: string | null }>> {
  const r = await c.query(
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
                       and v.status in ('pending', 'queued', 'in_progress', 'batched', 'held')) as "openVerify",
            g.last_code as "gateCode", g.status as "gateStatus"
       from lrs.request a
       left join lrs.request g on g.organisation_id = a.organisation_id and g.dedupe_key = 'gate:' || a.id
      where a.id = any($1::bigint[])`,
    [ids],
  );
  const out = new Map<number, { decision: GateDecision; code?: string | null }>();
  for (const row of r.rows as GateRow[]) {
    const id = Number(row.id);
    if (row.verified) out.set(id, { decision: 'verified' });
    else if (row.openVerify) out.set(id, { decision: 'hold' });
    else if (row.gateStatus !== null) out.set(id, { decision: 'not_verified', code: row.gateCode });
    else out.set(id, { decision: 'create_verify' });
  }
  return out;
}

/** Creates the gate verify requests (from each achievement's own ULN, names, date of birth, gender) and holds the achievements. */
export async function holdForVerification(
  c: Pick<pg.PoolClient, 'query'>,
  createFor: readonly number[],
  holdOnly: readonly number[],
): Promise<void> {
  if (createFor.length > 0) {
    await c.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload, dedupe_key)
       select a.organisation_id, a.requested_by, 'verify', 'auto', 5, a.mis_learner_id,
              jsonb_strip_nulls(jsonb_build_object('uln', a.payload->'uln', 'givenName', a.payload->'givenName',
                'familyName', a.payload->'familyName', 'dateOfBirth', a.payload->'dateOfBirth', 'gender', a.payload->'gender')),
              'gate:' || a.id
         from lrs.request a where a.id = any($1::bigint[])
       on conflict (organisation_id, dedupe_key) do nothing`,
      [createFor],
    );
    await c.query(`select pg_notify('lrs_request', 'gate')`);
  }
  const all = [...createFor, ...holdOnly];
  if (all.length === 0) return;
  await c.query(
    `update lrs.request set status = 'held', last_code = $2, updated_at = now(),
            last_error = 'Held: the learner has not been verified against the LRS yet; a verify request was made and the achievement is sent once it succeeds.'
      where id = any($1::bigint[]) and ${statusAmong('pending', 'held')}`,
    [all, PIPELINE_CODES.NOT_VERIFIED],
  );
}

/** The needs_action result for an achievement whose learner failed verification. */
export function notVerified(requestId: number, code: string | null | undefined): Settlement {
  const why = code ? `${code} (${explainCode(code).meaning})` : 'no answer';
  return {
    requestId,
    resolution: resolutionFor(PIPELINE_CODES.NOT_VERIFIED, 'relay', {
      status: 'needs_action',
      description: `Not sent: the learner's details were not verified by the LRS (verify ended ${why}). Correct the ULN, names or date of birth in the MIS, then retry the achievement.`,
    }),
  };
}

/**
 * Re-checks held achievements (up to `limit`): verified → pending (the assembler batches them),
 * verification failed → needs_action. Returns the settlements to write and how many were released.
 */
export async function reviewHeld(
  c: Pick<pg.PoolClient, 'query'>,
  limit: number,
): Promise<{ released: number; settle: Settlement[] }> {
  const held = await c.query(
    `select id from lrs.request where status = 'held' and kind = 'achievement' order by id limit $1 for update skip locked`,
    [limit],
  );
  const ids = held.rows.map((x: { id: string }) => Number(x.id));
  if (ids.length === 0) return { released: 0, settle: [] };
  const decisions = await checkVerification(c, ids);
  const release: number[] = [];
  const settle: Settlement[] = [];
  const create: number[] = [];
  for (const [id, d] of decisions) {
    if (d.decision === 'verified') release.push(id);
    else if (d.decision === 'not_verified') settle.push(notVerified(id, d.code));
    // A held achievement whose gate verify vanished (deleted by hand) gets a new one.
    else if (d.decision === 'create_verify') create.push(id);
  }
  if (create.length > 0) await holdForVerification(c, create, []);
  if (release.length > 0) {
    await c.query(
      `update lrs.request set status = 'pending', last_code = null, last_error = null, updated_at = now()
        where id = any($1::bigint[]) and ${statusAmong('held')}`,
      [release],
    );
  }
  return { released: release.length, settle };
}
