/**
 * A relay worker process killed with SIGKILL before submit, during the submit call, right after
 * submit and during fan-out. A fresh process then finishes the work. Every request must end terminal
 * exactly once, nobody may be registered twice, and the simulator must have received each learner in
 * a batch at most once (exactly once where the rules say the batch is used).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/queues/catalogue.ts';
import { startPipeline, SIM_PASSWORD, type Pipeline } from '../helpers/pipeline.ts';
import { createTestQueueConnection, TEST_BACKENDS } from '../helpers/queues.ts';
import { redisUrl } from '../helpers/urls.ts';
import { batches, FAST_BATCH_ENV, newLearner } from './batch-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function startWorker(p: Pipeline, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(
    process.execPath,
    ['bin/lrs-relay.js', 'start', '--role', 'worker,scheduler,producer'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        ...FAST_BATCH_ENV,
        QUEUE_BACKEND: p.backend,
        DATABASE_URL: p.db.url,
        REDIS_URL: redisUrl(),
        QUEUE_PREFIX: p.prefix,
        LRS_BASE_URL: p.simulator.url,
        LRS_ALLOW_INSECURE_HTTP: 'true',
        LRS_TIMEOUT_MS: '10000',
        LRS_PASSWORD_10000001: SIM_PASSWORD,
        OUTBOX_POLL_INTERVAL_MS: '200',
        RECONCILE_INTERVAL_MS: '1000',
        RECONCILE_STALE_MS: '3000',
        LOG_LEVEL: 'warn',
        ...env,
      },
    },
  );
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** Polls Postgres every few ms until `cond` holds; returns what it saw. */
async function waitFor<T>(
  p: Pipeline,
  query: string,
  cond: (rows: T[]) => boolean,
  timeoutMs = 20_000,
): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (await p.sql.query(query)).rows as T[];
    if (cond(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${JSON.stringify(rows).slice(0, 500)}`);
    await sleep(5);
  }
}

/** The assertions every crash scenario shares. */
async function assertExactlyOnce(
  p: Pipeline,
  ids: number[],
  o: { batchSubmissions: 'once' | 'at-most-once' },
): Promise<void> {
  await p.settle(60_000);
  const r = await p.sql.query(
    `select r.id, r.status, o.request_id is not null as has_outcome, o.uln from lrs.request r left join lrs.outcome o on o.request_id = r.id where r.id = any($1::bigint[])`,
    [ids],
  );
  const rows = r.rows as { id: string; status: string; has_outcome: boolean; uln: string | null }[];
  expect(rows).toHaveLength(ids.length);
  expect(rows.filter((x) => x.status !== 'succeeded' || !x.has_outcome)).toEqual([]);
  expect(new Set(rows.map((x) => x.uln)).size).toBe(ids.length);
  const stats = p.simulator.admin.stats();
  expect(stats.duplicateRegistrations).toBe(0);
  const subs = p.simulator.admin.submissions('registration');
  const counts = ids.map((id) => subs[String(id)] ?? 0);
  if (o.batchSubmissions === 'once') expect(counts.filter((c) => c !== 1)).toEqual([]);
  else expect(counts.filter((c) => c > 1)).toEqual([]);
  // Learners registered by batch or by single call: exactly one registration each.
  expect(stats.registrations).toBe(ids.length);
}

describe.each(TEST_BACKENDS)('SIGKILL of a batch worker on %s', (backend) => {
  let p: Pipeline | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await kill(child, 'SIGKILL');
    child = undefined;
    await p?.stop();
    p = undefined;
  });

  const submitAll = async (pl: Pipeline, n: number, tag: string) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++)
      ids.push(await pl.submit('register', `${tag}-${i}`, newLearner(i, tag), { mode: 'batch' }));
    return ids;
  };

  it('before submit: the assembled batch is submitted once by the next process', async () => {
    p = await startPipeline({
      backend,
      roles: [],
      simulator: { batchTiming: { inProgressAfterMs: 100, doneAfterMs: 500 } },
    });
    // Hold the batch queue so the batch is assembled but its submit job cannot start.
    const store = createTestQueueConnection({ backend, prefix: p.prefix, databaseUrl: p.db.url });
    const queue = store.createQueue(QUEUES.batch);
    await queue.pause();
    const ids = await submitAll(p, 10, 'before');
    child = startWorker(p);
    await waitFor<{ n: number }>(
      p,
      `select count(*)::int as n from lrs.batch where status = 'assembled'`,
      (r) => (r[0]?.n ?? 0) >= 2,
    );
    await kill(child, 'SIGKILL');
    expect((await batches(p.sql)).every((b) => b.status === 'assembled')).toBe(true);
    await queue.resume();
    await queue.close();
    await store.close();
    child = startWorker(p);
    await assertExactlyOnce(p, ids, { batchSubmissions: 'once' });
    expect((await batches(p.sql)).map((b) => b.status)).toEqual(['completed', 'completed']);
  });

  it('during the submit call: the batch is in doubt and its learners go to single calls (search first)', async () => {
    p = await startPipeline({
      backend,
      roles: [],
      simulator: { batchTiming: { inProgressAfterMs: 100, doneAfterMs: 500 } },
    });
    // The simulator takes 2 s to answer the submit, and still processes it after the caller died.
    p.simulator.admin.setFaults({ latencyMs: 2_000, operations: ['submitBatchRegistration'] });
    const ids = await submitAll(p, 10, 'during');
    child = startWorker(p);
    await waitFor<{ n: number }>(
      p,
      `select count(*)::int as n from lrs.batch where status = 'submitting'`,
      (r) => (r[0]?.n ?? 0) >= 1,
    );
    await kill(child, 'SIGKILL');
    p.simulator.admin.setFaults({ latencyMs: 0, operations: [] });
    child = startWorker(p);
    await assertExactlyOnce(p, ids, { batchSubmissions: 'at-most-once' });
    const inDoubt = (await batches(p.sql)).filter((b) => b.last_code === 'BATCH_SUBMIT_IN_DOUBT');
    expect(inDoubt.length).toBeGreaterThanOrEqual(1);
  });

  it('right after submit: the next process polls the stored job id and fans the output out', async () => {
    p = await startPipeline({
      backend,
      roles: [],
      simulator: { batchTiming: { inProgressAfterMs: 500, doneAfterMs: 3_000 } },
    });
    const ids = await submitAll(p, 10, 'after');
    child = startWorker(p);
    await waitFor<{ n: number }>(
      p,
      `select count(*)::int as n from lrs.batch where status = 'submitted'`,
      (r) => (r[0]?.n ?? 0) >= 2,
    );
    await kill(child, 'SIGKILL');
    child = startWorker(p);
    await assertExactlyOnce(p, ids, { batchSubmissions: 'once' });
    expect((await batches(p.sql)).map((b) => b.status)).toEqual(['completed', 'completed']);
  });

  it('during fan-out: the next process reads the output again and settles only what is left', async () => {
    p = await startPipeline({
      backend,
      roles: [],
      simulator: { batchTiming: { inProgressAfterMs: 100, doneAfterMs: 300 } },
    });
    const ids = await submitAll(p, 200, 'fan');
    child = startWorker(p, { BATCH_LIMIT_REGISTRATION: '200', BATCH_FANOUT_CHUNK: '1' });
    const seen = await waitFor<{ status: string; done: number }>(
      p,
      `select b.status, (select count(*)::int from lrs.request r where r.batch_id = b.id and r.status = 'succeeded') as done from lrs.batch b`,
      (r) => r[0]?.status === 'fetching' && (r[0]?.done ?? 0) > 0,
    );
    await kill(child, 'SIGKILL');
    const settledAtKill = (
      await p.sql.query(`select count(*)::int as n from lrs.request where status = 'succeeded'`)
    ).rows[0].n as number;
    expect(seen[0]!.done).toBeGreaterThan(0);
    expect(settledAtKill).toBeLessThan(200);
    child = startWorker(p);
    await assertExactlyOnce(p, ids, { batchSubmissions: 'once' });
    const [b] = await batches(p.sql);
    expect(b).toMatchObject({ status: 'completed' });
  });
});
