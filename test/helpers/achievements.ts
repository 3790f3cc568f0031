/**
 * The setting of an achievement-batch test: an awarding organisation on the External service, learners
 * registered (in a batch) and verified for it, and achievements for them submitted together.
 */
import { newLearner, requestsOf } from '../integration/batch-fixtures.ts';
import type { Pipeline } from './pipeline.ts';

/** A learner the LRS knows: the MIS's id, the ULN it was given and the details it was registered with. */
export interface RegisteredLearner {
  misId: string;
  uln: string;
  payload: Record<string, string>;
}

/** The awarding organisation's reference at the simulator (External service calls carry it, not a UKPRN). */
export const AWARDING_ORGANISATION = 'SIM001';

/**
 * Adds the awarding organisation, registers `count` new learners (MIS ids `<tag>-<i>`) and verifies each
 * for the awarding organisation, so the achievement gate holds none of them back (held achievements are
 * released one by one as their verifies end, which could split one test's achievements into two batches).
 * Returns the learners and their registration requests' ids.
 */
export async function registerAwardedLearners(
  p: Pipeline,
  o: { count: number; tag: string; timeoutMs: number },
): Promise<{ learners: RegisteredLearner[]; registered: number[] }> {
  await p.sql.query(
    `insert into lrs.organisation (name, organisation_ref, password_ref, default_user_name)
     values ('Simulator Awards', $1, $2, 'lrs-relay nightly')`,
    [AWARDING_ORGANISATION, JSON.stringify({ kind: 'env', name: 'LRS_PASSWORD_10000001' })],
  );
  // Single-call workers pick up new organisations on a 30 s refresh; restart so the verify calls run at once.
  await p.restartRelay();
  const learners: RegisteredLearner[] = [];
  const registered: number[] = [];
  for (let i = 0; i < o.count; i++) {
    const payload = newLearner(i, o.tag);
    registered.push(await p.submit('register', `${o.tag}-${i}`, payload, { mode: 'batch' }));
    learners.push({ misId: `${o.tag}-${i}`, uln: '', payload });
  }
  await p.settle(o.timeoutMs);
  const rows = await requestsOf(p.sql, registered);
  rows.forEach((r, i) => (learners[i]!.uln = String(r.uln)));
  for (const l of learners) {
    const { givenName, familyName, dateOfBirth, gender } = l.payload;
    await p.submit(
      'verify',
      l.misId,
      { uln: l.uln, givenName, familyName, dateOfBirth, gender },
      { org: AWARDING_ORGANISATION },
    );
  }
  await p.settle(o.timeoutMs);
  return { learners, registered };
}

/**
 * Submits one achievement per learner in one transaction, so the assembler sees them together and puts
 * them in one batch however slowly this machine inserts (separate submits could straddle
 * BATCH_WINDOW_MS on a loaded machine and land in two batches). Returns the request ids.
 */
export async function submitAchievements(
  p: Pipeline,
  learners: RegisteredLearner[],
  qualification: string,
): Promise<number[]> {
  const ids: number[] = [];
  const c = await p.sql.connect();
  try {
    await c.query('begin');
    for (const l of learners) {
      const { givenName, familyName } = l.payload;
      const payload = {
        uln: l.uln,
        givenName,
        familyName,
        unitOrQualificationReferenceNumber: qualification,
        achievementAwardDate: '2024-06-01',
        providerUkprn: '10000001',
      };
      const r = await c.query(
        `select lrs.submit_request($1, 'achievement', $2, $3::jsonb, 'j.smith', 'single', null, 1) as id`,
        [AWARDING_ORGANISATION, l.misId, JSON.stringify(payload)],
      );
      ids.push(Number(r.rows[0].id));
    }
    await c.query('commit');
  } catch (e) {
    await c.query('rollback');
    throw e;
  } finally {
    c.release();
  }
  return ids;
}
