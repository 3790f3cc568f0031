/**
 * WSEC0046 (issue 22 item 3): the LRS refuses an achievement request holding more achievements than it allows,
 * and nothing of it is loaded. lrs-relay never sends such a batch again unchanged: its requests go back to
 * pending and the organisation's achievement batches are made at most half as big from then on, so every
 * achievement is loaded once. The simulator allows 2 per job here; BATCH_LIMIT_ACHIEVEMENT is 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { batches, FAST_BATCH_ENV, newLearner, requestsOf } from './batch-fixtures.ts';

describe('an achievement batch refused as too many (WSEC0046)', { timeout: 120_000 }, () => {
  let p: Pipeline;
  const learners: { misId: string; uln: string; payload: Record<string, string> }[] = [];

  beforeAll(async () => {
    p = await startPipeline({
      simulator: { batchTiming: { inProgressAfterMs: 50, doneAfterMs: 300 }, limits: { achievement: 2 } },
      env: { ...FAST_BATCH_ENV, BATCH_WINDOW_MS: '500' },
    });
    // An awarding organisation on the External service needs an organisation reference (SIM001 at the simulator).
    await p.sql.query(
      `insert into lrs.organisation (name, organisation_ref, password_ref, default_user_name)
       values ('Simulator Awards', 'SIM001', $1, 'lrs-relay nightly')`,
      [JSON.stringify({ kind: 'env', name: 'LRS_PASSWORD_10000001' })],
    );
    await p.restartRelay();
    const registered: number[] = [];
    for (let i = 0; i < 5; i++) {
      const payload = newLearner(i, 'toomany');
      registered.push(await p.submit('register', `many-${i}`, payload, { mode: 'batch' }));
      learners.push({ misId: `many-${i}`, uln: '', payload });
    }
    await p.settle(60_000);
    const rows = await requestsOf(p.sql, registered);
    rows.forEach((r, i) => (learners[i]!.uln = String(r.uln)));
    // Verified for the awarding organisation first, so the achievement gate holds none of them back.
    for (const l of learners) {
      const { givenName, familyName, dateOfBirth, gender } = l.payload;
      await p.submit(
        'verify',
        l.misId,
        { uln: l.uln, givenName, familyName, dateOfBirth, gender },
        { org: 'SIM001' },
      );
    }
    await p.settle(60_000);
  }, 120_000);
  afterAll(async () => p?.stop());

  it('is never sent again unchanged: split into smaller batches, every achievement loaded once', async () => {
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
          unitOrQualificationReferenceNumber: '60312345',
          achievementAwardDate: '2024-06-01',
          providerUkprn: '10000001',
        };
        const r = await c.query(
          `select lrs.submit_request('SIM001', 'achievement', $1, $2::jsonb, 'j.smith', 'single', null, 1) as id`,
          [l.misId, JSON.stringify(payload)],
        );
        ids.push(Number(r.rows[0].id));
      }
      await c.query('commit');
    } finally {
      c.release();
    }
    await p.settle(60_000);

    const rows = await requestsOf(p.sql, ids);
    expect(rows.map((r) => [r.status, r.code])).toEqual(ids.map(() => ['succeeded', 'ACHIEVEMENT_LOADED']));
    const subs = p.simulator.admin.submissions('achievement');
    expect(ids.map((id) => subs[String(id)])).toEqual(ids.map(() => 1));

    const made = (await batches(p.sql)).filter((b) => b.kind === 'achievement');
    // One refusal of the five, never repeated; then batches of at most two.
    expect(made[0]).toMatchObject({ status: 'failed', last_code: 'WSEC0046', record_count: 5 });
    expect(made.slice(1).every((b) => b.status === 'completed' && b.record_count <= 2)).toBe(true);
    const refusals = await p.sql.query(
      `select count(*)::int as n from lrs.audit where operation = 'submitAchievementBatchJob' and code = 'WSEC0046'`,
    );
    expect(refusals.rows[0].n).toBe(1);
  });
});
