/**
 * Lost achievement jobs (docs/batches.md "When a batch fails"): the LRS does not know the job when
 * polled (WSRC0018), or gives no result before BATCH_POLL_GIVE_UP_MS. Achievements have no single
 * call and loading one twice is not harmless, so every request of the batch ends needs_action once,
 * for a person to check the PLR, and nothing is sent again. The simulator loses or stalls the jobs
 * on request (faults lostBatchJobs / stuckBatchJobs). Batch results also count in /metrics.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  registerAwardedLearners,
  submitAchievements,
  type RegisteredLearner,
} from '../helpers/achievements.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';
import { batches, FAST_BATCH_ENV, outcomesCounted, requestsOf, type BatchView } from './batch-fixtures.ts';

const GIVE_UP_MS = 3_000;

describe.each(TEST_BACKENDS)('achievement batch failures on %s', (backend) => {
  let p: Pipeline;
  let learners: RegisteredLearner[] = [];
  let registered: number[] = [];

  beforeAll(async () => {
    p = await startPipeline({
      backend,
      simulator: { batchTiming: { inProgressAfterMs: 50, doneAfterMs: 300 } },
      env: { ...FAST_BATCH_ENV, BATCH_WINDOW_MS: '500', BATCH_POLL_GIVE_UP_MS: String(GIVE_UP_MS) },
    });
    ({ learners, registered } = await registerAwardedLearners(p, {
      count: 3,
      tag: 'lost',
      timeoutMs: 30_000,
    }));
  });
  beforeEach(() => {
    p.simulator.admin.setFaults({ lostBatchJobs: false, stuckBatchJobs: false, operations: [] });
  });
  afterAll(async () => p?.stop());

  afterEach(async () => {
    // The gate held nothing (each test's achievements go in one batch): it made no verify of its own.
    const gates = await p.sql.query(
      `select count(*)::int as n from lrs.request where dedupe_key like 'gate:%'`,
    );
    expect(gates.rows[0].n).toBe(0);
  });

  const submit = (qualification: string) => submitAchievements(p, learners, qualification);
  /** The one batch the requests were sent in. */
  const batchOf = async (ids: number[]): Promise<BatchView> => {
    const r = await p.sql.query('select distinct batch_id from lrs.request where id = any($1::bigint[])', [
      ids,
    ]);
    expect(r.rows).toHaveLength(1);
    const b = (await batches(p.sql)).find((x) => x.id === Number(r.rows[0].batch_id));
    if (!b) throw new Error('no batch');
    return b;
  };
  const auditOf = async (batchId: number) =>
    (await p.sql.query(`select operation, code from lrs.audit where batch_id = $1 order by id`, [batchId]))
      .rows as { operation: string; code: string }[];
  const outcomeCount = (labels: { kind: string; status: string; code: string }) =>
    outcomesCounted(p.relay.metrics, labels);
  /** Each achievement reached the LRS exactly once. */
  const sentOnce = (ids: number[]) => {
    const subs = p.simulator.admin.submissions('achievement');
    expect(ids.map((id) => subs[String(id)])).toEqual(ids.map(() => 1));
  };

  it('a registration batch fanned out counts in lrs_relay_request_outcomes_total, one per learner', async () => {
    // The relay (and its metrics) was restarted before these were sent, so the counter holds exactly this batch.
    expect(
      (await requestsOf(p.sql, registered)).every(
        (r) => r.status === 'succeeded' && r.code === 'RC001' && r.mode === 'batch',
      ),
    ).toBe(true);
    expect(await outcomeCount({ kind: 'register', status: 'succeeded', code: 'RC001' })).toBe(
      registered.length,
    );
  });

  it('a job the LRS does not know (WSRC0018): each achievement needs_action WSRC0018, the batch failed, nothing sent again', async () => {
    p.simulator.admin.setFaults({ lostBatchJobs: true, operations: ['GetAchievementBatchJob'] });
    const counted = await outcomeCount({ kind: 'achievement', status: 'needs_action', code: 'WSRC0018' });
    const ids = await submit('60011111');
    await p.settle(30_000);

    const rows = await requestsOf(p.sql, ids);
    expect(rows).toHaveLength(ids.length); // one outcome row per request
    const b = await batchOf(ids);
    for (const r of rows) {
      expect(r).toMatchObject({
        status: 'needs_action',
        code: 'WSRC0018',
        last_code: 'WSRC0018',
        batch_id: b.id,
      });
      expect(String(r.last_error)).toMatch(
        /the LRS does not know the job.*Check the learner's record before retrying/,
      );
    }
    expect(b).toMatchObject({
      kind: 'achievement',
      status: 'failed',
      last_code: 'WSRC0018',
      record_count: ids.length,
      counters: expect.objectContaining({ settled: ids.length, requeued: 0 }),
    });
    expect(b.completed_at).toBeInstanceOf(Date);
    expect(await auditOf(b.id)).toEqual([
      { operation: 'submitAchievementBatchJob', code: 'WSRC0007' },
      { operation: 'getAchievementBatchJob', code: 'WSRC0018' },
    ]);
    sentOnce(ids);
    expect(p.simulator.admin.stats().injected.lostBatchJobs).toBeGreaterThanOrEqual(1);
    expect(await outcomeCount({ kind: 'achievement', status: 'needs_action', code: 'WSRC0018' })).toBe(
      counted + ids.length,
    );
  });

  it('no result before BATCH_POLL_GIVE_UP_MS: each achievement needs_action BATCH_NO_RESULT, the batch failed, nothing sent again', async () => {
    p.simulator.admin.setFaults({ stuckBatchJobs: true, operations: ['GetAchievementBatchJob'] });
    const counted = await outcomeCount({
      kind: 'achievement',
      status: 'needs_action',
      code: 'BATCH_NO_RESULT',
    });
    const ids = await submit('60022222');
    await p.settle(30_000);

    const rows = await requestsOf(p.sql, ids);
    expect(rows).toHaveLength(ids.length);
    const b = await batchOf(ids);
    for (const r of rows) {
      expect(r).toMatchObject({
        status: 'needs_action',
        code: 'BATCH_NO_RESULT',
        last_code: 'BATCH_NO_RESULT',
        batch_id: b.id,
      });
      expect(String(r.last_error)).toMatch(
        /no result .* after submission.*Check the learner's record before retrying/,
      );
    }
    expect(b).toMatchObject({
      kind: 'achievement',
      status: 'failed',
      record_count: ids.length,
      counters: expect.objectContaining({ settled: ids.length, requeued: 0 }),
    });
    // Our code on the batch (the LRS never sent an answer to give up on), the last LRS answer in the reason.
    expect(b.last_code).toBe('BATCH_NO_RESULT');
    expect(String(b.last_error)).toMatch(
      /no result \d+ min after submission \(the last poll answered WSRC0008\)/,
    );
    // Polled (still running every time) until the give-up time had passed, then abandoned.
    expect(b.completed_at!.getTime() - b.submitted_at!.getTime()).toBeGreaterThanOrEqual(GIVE_UP_MS);
    const audit = await auditOf(b.id);
    expect(audit[0]).toEqual({ operation: 'submitAchievementBatchJob', code: 'WSRC0007' });
    const polls = audit.slice(1);
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.every((a) => a.operation === 'getAchievementBatchJob' && a.code === 'WSRC0008')).toBe(true);
    sentOnce(ids);
    expect(p.simulator.admin.stats().injected.stuckBatchJobs).toBeGreaterThanOrEqual(1);
    expect(await outcomeCount({ kind: 'achievement', status: 'needs_action', code: 'BATCH_NO_RESULT' })).toBe(
      counted + ids.length,
    );
  });

  it('a loaded achievement batch fanned out counts in lrs_relay_request_outcomes_total', async () => {
    const counted = await outcomeCount({
      kind: 'achievement',
      status: 'succeeded',
      code: 'ACHIEVEMENT_LOADED',
    });
    const ids = await submit('60033333');
    await p.settle(30_000);
    expect(
      (await requestsOf(p.sql, ids)).every(
        (r) => r.status === 'succeeded' && r.code === 'ACHIEVEMENT_LOADED',
      ),
    ).toBe(true);
    expect((await batchOf(ids)).status).toBe('completed');
    sentOnce(ids);
    expect(await outcomeCount({ kind: 'achievement', status: 'succeeded', code: 'ACHIEVEMENT_LOADED' })).toBe(
      counted + ids.length,
    );
  });
});
