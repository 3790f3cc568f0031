/**
 * The achievement verification gate: an achievement is only sent for a learner whose details the LRS has
 * verified. Verified = a succeeded verify request (WSVRC001 or WSVRC002) of the same organisation for the
 * same ULN and names (matched by ULN, or by MIS learner id and ULN). An unverified achievement is held and a
 * verify request is created for it (dedupe key `gate:<achievement id>`, mode auto); when that verify is
 * terminal the achievement is released (verified) or settled needs_action NOT_VERIFIED.
 */
import { PIPELINE_CODES } from '../codes/pipeline-codes.ts';
import { explainCode } from '../codes/table.ts';
import {
  holdAchievements,
  insertGateVerifies,
  lockHeldAchievements,
  releaseHeld,
  selectVerificationState,
} from '../db/batch-assembly.ts';
import type { Settlement } from '../db/batches.ts';
import type { Queryable } from '../db/transaction.ts';
import { resolutionFor } from '../requests/resolve.ts';

export type GateDecision = 'verified' | 'hold' | 'create_verify' | 'not_verified';

/** For each achievement id: verified, still waiting, needing a verify, or failed verification (with the code). */
export async function checkVerification(
  c: Queryable,
  ids: readonly number[],
): Promise<Map<number, { decision: GateDecision; code?: string | null }>> {
  const rows = await selectVerificationState(c, ids);
  const out = new Map<number, { decision: GateDecision; code?: string | null }>();
  for (const row of rows) {
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
  c: Queryable,
  createFor: readonly number[],
  holdOnly: readonly number[],
): Promise<void> {
  if (createFor.length > 0) await insertGateVerifies(c, createFor);
  const all = [...createFor, ...holdOnly];
  if (all.length > 0) await holdAchievements(c, all, PIPELINE_CODES.NOT_VERIFIED);
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
  c: Queryable,
  limit: number,
): Promise<{ released: number; settle: Settlement[] }> {
  const ids = await lockHeldAchievements(c, limit);
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
  if (release.length > 0) await releaseHeld(c, release);
  return { released: release.length, settle };
}
