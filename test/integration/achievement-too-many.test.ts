/**
 * WSEC0046 (issue 22 item 3): the LRS refuses an achievement request holding more achievements than it allows,
 * and nothing of it is loaded. lrs-relay never sends such a batch again unchanged: its requests go back to
 * pending and the organisation's achievement batches are made at most half as big from then on, so every
 * achievement is loaded once, at once. The simulator allows 2 per job here; BATCH_LIMIT_ACHIEVEMENT is 4, so
 * the four achievements go as one batch of 4, refused, then two of 2; no batch is partial, so nothing waits
 * for BATCH_WINDOW_MS, which is set far beyond the test: the refused requests are found again by the next
 * assembly pass, not when the assembler's claim cursors are next dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registerAwardedLearners,
  submitAchievements,
  type RegisteredLearner,
} from '../helpers/achievements.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { batches, FAST_BATCH_ENV, requestsOf } from './batch-fixtures.ts';

describe('an achievement batch refused as too many (WSEC0046)', { timeout: 120_000 }, () => {
  let p: Pipeline;
  let learners: RegisteredLearner[] = [];

  beforeAll(async () => {
    p = await startPipeline({
      simulator: { batchTiming: { inProgressAfterMs: 50, doneAfterMs: 300 }, limits: { achievement: 2 } },
      env: {
        ...FAST_BATCH_ENV,
        BATCH_WINDOW_MS: '600000',
        BATCH_LIMIT_REGISTRATION: '4',
        BATCH_LIMIT_ACHIEVEMENT: '4',
      },
    });
    ({ learners } = await registerAwardedLearners(p, { count: 4, tag: 'many', timeoutMs: 60_000 }));
  }, 120_000);
  afterAll(async () => p?.stop());

  it('is never sent again unchanged: split into smaller batches, every achievement loaded once', async () => {
    const ids = await submitAchievements(p, learners, '60312345');
    // Far less than BATCH_WINDOW_MS, when the cursors would next be dropped.
    await p.settle(60_000);

    const rows = await requestsOf(p.sql, ids);
    expect(rows.map((r) => [r.status, r.code])).toEqual(ids.map(() => ['succeeded', 'ACHIEVEMENT_LOADED']));
    const subs = p.simulator.admin.submissions('achievement');
    expect(ids.map((id) => subs[String(id)])).toEqual(ids.map(() => 1));

    const made = (await batches(p.sql)).filter((b) => b.kind === 'achievement');
    // One refusal of the four, never repeated; then batches of at most two.
    expect(made[0]).toMatchObject({ status: 'failed', last_code: 'WSEC0046', record_count: 4 });
    expect(made.slice(1).every((b) => b.status === 'completed' && b.record_count <= 2)).toBe(true);
    const refusals = await p.sql.query(
      `select count(*)::int as n from lrs.audit where operation = 'submitAchievementBatchJob' and code = 'WSEC0046'`,
    );
    expect(refusals.rows[0].n).toBe(1);
  });
});
