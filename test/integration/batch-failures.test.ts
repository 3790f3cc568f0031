/**
 * Every defined failure result of a registration batch (docs/batches.md): refused (WSRC0017), failed
 * without rows (WSRC0010), unknown job (WSRC0018), a learner missing from the output, transport errors
 * on submit and on poll (a submit failing every time: tried as often as the policy allows, each try one
 * attempt of every member), and a submission in doubt (timeout). The simulator cannot produce some of
 * these on demand, so a thin wrapper around the real client changes answers when a test asks it to.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyFailure, explainCode } from '../../src/codes/table.ts';
import { createLrsClient } from '../../src/lrs/client.ts';
import type { CreateLrsClientOptions, LrsClient } from '../../src/lrs/types.ts';
import { FAST_RETRY_POLICY, startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';
import { batches, FAST_BATCH_ENV, newLearner, requestsOf } from './batch-fixtures.ts';

const tweak = {
  submitCode: undefined as string | undefined,
  failWithoutRows: false,
  dropFirstRow: false,
  unknownJob: false,
};

function createTweakedClient(o: CreateLrsClientOptions): LrsClient {
  const real = createLrsClient(o);
  return {
    ...real,
    async submitBatchRegistration(id, input, co) {
      if (tweak.submitCode)
        return { code: tweak.submitCode, codeSource: 'lrs', class: explainCode(tweak.submitCode).class };
      return real.submitBatchRegistration(id, input, co);
    },
    async getBatchRegistrationOutput(id, jobId, co) {
      if (tweak.unknownJob)
        return {
          code: 'WSRC0018',
          codeSource: 'lrs',
          class: 'data_error',
          state: 'unknown_job',
          counters: {},
          learners: [],
        };
      const r = await real.getBatchRegistrationOutput(id, jobId, co);
      if (r.state !== 'done') return r;
      if (tweak.failWithoutRows) return { ...r, code: 'WSRC0010', state: 'failed', learners: [] };
      if (tweak.dropFirstRow) return { ...r, learners: r.learners.slice(1) };
      return r;
    },
  };
}

describe.each(TEST_BACKENDS)('registration batch failures on %s', (backend) => {
  let p: Pipeline;
  let n = 0;
  const submitFive = async (tag: string) => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await p.submit('register', `${tag}-${i}`, newLearner(1000 + n++, tag), { mode: 'batch' }));
    return ids;
  };

  beforeAll(async () => {
    p = await startPipeline({
      backend,
      simulator: { batchTiming: { inProgressAfterMs: 50, doneAfterMs: 300 } },
      env: FAST_BATCH_ENV,
      relay: { createLrsClient: createTweakedClient },
    });
  });
  beforeEach(() => {
    Object.assign(tweak, {
      submitCode: undefined,
      failWithoutRows: false,
      dropFirstRow: false,
      unknownJob: false,
    });
    p.simulator.admin.setFaults({ maintenance: false, errorRate: 0, timeoutRate: 0, operations: [] });
  });
  afterAll(async () => p?.stop());

  const lastBatch = async () => (await batches(p.sql)).at(-1)!;
  const noDuplicates = () => expect(p.simulator.admin.stats().duplicateRegistrations).toBe(0);

  it('WSRC0017 (batch refused): the requests go back as single calls and are registered once', async () => {
    tweak.submitCode = 'WSRC0017';
    const ids = await submitFive('refused');
    await expect.poll(async () => (await lastBatch()).status, { timeout: 10_000 }).toBe('failed');
    tweak.submitCode = undefined;
    await p.settle(30_000);
    expect(await lastBatch()).toMatchObject({
      last_code: 'WSRC0017',
      counters: expect.objectContaining({ requeued: 5 }),
    });
    const rows = await requestsOf(p.sql, ids);
    expect(
      rows.every(
        (r) =>
          r.status === 'succeeded' && r.code === 'WSRC0005' && r.mode === 'single' && r.batch_id === null,
      ),
    ).toBe(true);
    noDuplicates();
  });

  it('WSRC0010 without rows: requeued as single calls, which find the learners the batch registered', async () => {
    tweak.failWithoutRows = true;
    const ids = await submitFive('failed');
    await p.settle(30_000);
    expect(await lastBatch()).toMatchObject({ status: 'failed', last_code: 'WSRC0010' });
    const rows = await requestsOf(p.sql, ids);
    expect(rows.every((r) => r.status === 'succeeded' && r.code === 'WSRC0004' && r.mode === 'single')).toBe(
      true,
    );
    noDuplicates();
  });

  it('WSRC0018 (unknown job): requeued as single calls', async () => {
    tweak.unknownJob = true;
    const ids = await submitFive('unknown');
    await p.settle(30_000);
    expect(await lastBatch()).toMatchObject({ status: 'failed', last_code: 'WSRC0018' });
    expect((await requestsOf(p.sql, ids)).every((r) => r.status === 'succeeded' && r.mode === 'single')).toBe(
      true,
    );
    noDuplicates();
  });

  it('a learner missing from the output is requeued as a single call; the others are settled from the batch', async () => {
    tweak.dropFirstRow = true;
    const ids = await submitFive('missing');
    await p.settle(30_000);
    const rows = await requestsOf(p.sql, ids);
    expect(rows[0]).toMatchObject({ status: 'succeeded', code: 'WSRC0004', mode: 'single' });
    expect(
      rows.slice(1).every((r) => r.status === 'succeeded' && r.code === 'RC001' && r.mode === 'batch'),
    ).toBe(true);
    expect(await lastBatch()).toMatchObject({
      status: 'completed',
      counters: expect.objectContaining({ requeued: 1, succeeded: 4 }),
    });
    noDuplicates();
  });

  it('transport errors while polling: polls again with backoff until the output is read', async () => {
    p.simulator.admin.setFaults({ errorRate: 1, operations: ['getBatchRegistrationOutput'] });
    const ids = await submitFive('pollerr');
    await expect.poll(async () => (await lastBatch()).polls, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    p.simulator.admin.setFaults({ errorRate: 0, operations: [] });
    await p.settle(30_000);
    expect((await requestsOf(p.sql, ids)).every((r) => r.status === 'succeeded' && r.code === 'RC001')).toBe(
      true,
    );
    const b = await lastBatch();
    expect(b.status).toBe('completed');
    const codes = (
      await p.sql.query(
        `select code from lrs.audit where batch_id = $1 and operation = 'getBatchRegistrationOutput' order by id`,
        [b.id],
      )
    ).rows.map((r: { code: string }) => r.code);
    expect(codes.at(-1)).toBe('WSRC0009');
    expect(codes.filter((c) => c !== 'WSRC0009' && c !== 'WSRC0008').length).toBeGreaterThanOrEqual(2);
  });

  it('a submit that fails every time before the LRS takes it: tried as often as its class allows, one attempt of every member each, then settled', async () => {
    p.simulator.admin.setFaults({ errorRate: 1, operations: ['submitBatchRegistration'] });
    const triedBefore = p.simulator.admin.stats().injected.errors ?? 0;
    const batchesBefore = (await batches(p.sql)).length;
    const ids = await submitFive('transient');
    await expect.poll(async () => (await lastBatch()).status, { timeout: 20_000 }).toBe('failed');
    const b = await lastBatch();
    // The fault the simulator sends (an internal error, HTTP 500) and the attempts the policy allows its class.
    const code = b.last_code!;
    const allowed = FAST_RETRY_POLICY[classifyFailure({ code })].attempts;
    expect(allowed).toBeGreaterThan(1);
    // Every try reached the simulator, and there were exactly as many as the class allows.
    expect((p.simulator.admin.stats().injected.errors ?? 0) - triedBefore).toBe(allowed);
    const rows = await p.sql.query(
      `select status, attempts, last_code, batch_id from lrs.request where id = any($1::bigint[]) order by id`,
      [ids],
    );
    // Each try counted one attempt on every member (lrs.request.attempts, the count the decision reads);
    // then each request got the terminal answer a single call would, and none went again in a new batch.
    expect(rows.rows).toEqual(
      ids.map(() => ({ status: 'failed', attempts: allowed, last_code: code, batch_id: b.id })),
    );
    expect(await batches(p.sql)).toHaveLength(batchesBefore + 1);
  });

  it('the LRS maintenance page on submit: the batch is retried (it was never received) and sent once', async () => {
    p.simulator.admin.setFaults({ maintenance: true, operations: ['submitBatchRegistration'] });
    const ids = await submitFive('maint');
    await expect
      .poll(
        async () =>
          (await p.sql.query(`select count(*)::int as n from lrs.audit where code = 'LRS_MAINTENANCE'`))
            .rows[0].n,
        { timeout: 10_000 },
      )
      .toBeGreaterThanOrEqual(2);
    p.simulator.admin.setFaults({ maintenance: false, operations: [] });
    await p.settle(30_000);
    expect(
      (await requestsOf(p.sql, ids)).every(
        (r) => r.status === 'succeeded' && r.code === 'RC001' && r.mode === 'batch',
      ),
    ).toBe(true);
    const subs = p.simulator.admin.submissions('registration');
    expect(ids.every((id) => subs[String(id)] === 1)).toBe(true);
  });

  it('a submit that times out is in doubt: never sent again as a batch, the single calls search first', async () => {
    p.simulator.admin.setFaults({ timeoutRate: 1, operations: ['submitBatchRegistration'] });
    const ids = await submitFive('doubt');
    await expect.poll(async () => (await lastBatch()).status, { timeout: 15_000 }).toBe('failed');
    p.simulator.admin.setFaults({ timeoutRate: 0, operations: [] });
    await p.settle(30_000);
    expect(await lastBatch()).toMatchObject({ last_code: 'BATCH_SUBMIT_IN_DOUBT' });
    const rows = await requestsOf(p.sql, ids);
    expect(rows.every((r) => r.status === 'succeeded' && r.mode === 'single')).toBe(true);
    const subs = p.simulator.admin.submissions('registration');
    expect(ids.every((id) => (subs[String(id)] ?? 0) <= 1)).toBe(true);
    noDuplicates();
  });
});
