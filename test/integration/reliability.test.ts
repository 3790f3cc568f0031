/**
 * Nothing lost, no duplicate learners: each test disturbs a run (faults, maintenance, the queue store
 * lost, Postgres connections killed, worker processes killed) and ends with every request in exactly one
 * terminal state and the simulator reporting no duplicate registrations. Every test runs on both queue
 * backends: on Postgres the queue store lost is the queue schema's rows deleted, and the connections
 * killed include the queues' own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSettledOnce, countTerminal, learners, reportRecovery, submitAll } from '../helpers/chaos.ts';
import { SIM_PASSWORD, startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { loseQueueStorage, TEST_BACKENDS } from '../helpers/queues.ts';
import { waitUntil } from '../helpers/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/lrs-relay.js', import.meta.url));

describe.each(TEST_BACKENDS)('reliability on %s', { timeout: 180_000 }, (backend) => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('settles everything under 10% timeouts and 5% HTTP 500s, without duplicate learners', async () => {
    // A 1 s call timeout: tight enough to keep the run short, loose enough that a loaded CI machine's
    // ordinary answers are not mistaken for injected hangs (which would exhaust a request's retries).
    p = await startPipeline({
      backend,
      simulator: { faults: { timeoutRate: 0.1, errorRate: 0.05 } },
      env: { LRS_TIMEOUT_MS: '1000' },
    });
    await submitAll(p, learners(300, 'F'), 'F');
    await p.settle(90_000);
    await assertSettledOnce(p, 300);
    const codes = await p.sql.query(
      `select distinct code from lrs.audit where code in ('TIMEOUT', 'HTTP_ERROR')`,
    );
    expect(codes.rows.length).toBeGreaterThan(0);
    const failed = await p.sql.query(
      `select r.status, o.code, o.description, count(*)::int as n from lrs.request r join lrs.outcome o on o.request_id = r.id
        where status <> 'succeeded' group by 1, 2, 3`,
    );
    expect(failed.rows).toEqual([]);
  });

  it.each([
    ['a maintenance window (HTTP 405 page)', { maintenance: true }, 'LRS_MAINTENANCE'],
    [
      'a maintenance window as a SOAP fault (HTTP 405, UnsupportedHttpVerb)',
      { maintenanceFault: true },
      'LRS_MAINTENANCE',
    ],
    ['out of hours (WSEC0004)', { outOfHours: true }, 'WSEC0004'],
  ])('waits out %s without burning attempts, then finishes', async (_label, fault, code) => {
    // No rate limit to hide behind: without the queue-wide pause, retries would use up the budget.
    p = await startPipeline({
      backend,
      simulator: { faults: fault },
      env: { RATE_LIMIT_PER_SECOND: '10000' },
    });
    await submitAll(p, learners(60, 'M'), 'M');
    const pp = p;
    await waitUntil(
      async () =>
        (await pp.sql.query(`select 1 from lrs.audit where code = $1 limit 1`, [code])).rowCount === 1,
    );
    // The window outlasts a job's whole retry budget (8 attempts, 50–400 ms apart, well under 3 s): only
    // pausing the queue, which uses no attempts, lets every request through once it ends.
    await sleep(3_000);
    expect(await countTerminal(p)).toBe(0);
    const during = await p.sql.query(`select count(*)::int as n from lrs.audit where code = $1`, [code]);
    expect(during.rows[0].n).toBeGreaterThan(0);
    p.simulator.admin.setFaults({ maintenance: false, maintenanceFault: false, outOfHours: false });
    await p.settle(60_000);
    await assertSettledOnce(p, 60);
    const notSucceeded = await p.sql.query(
      `select count(*)::int as n from lrs.request where status <> 'succeeded'`,
    );
    expect(notSucceeded.rows[0].n).toBe(0);
  });

  it('re-enqueues everything after the queue store is lost mid-run', async () => {
    p = await startPipeline({ backend, simulator: { faults: { latencyMs: 20 } } });
    await submitAll(p, learners(400, 'X'), 'X');
    const pp = p;
    await waitUntil(async () => (await countTerminal(pp)) > 50);
    const deleted = await loseQueueStorage(p);
    expect(deleted).toBeGreaterThan(0);
    const recoveredAt = Date.now();
    await p.settle(90_000);
    await reportRecovery(p, `queue store lost (${backend})`, recoveredAt);
    await assertSettledOnce(p, 400);
  });

  it('survives Postgres connections being killed mid-run', async () => {
    // On the postgres backend a worker's own queue connection dies too, sometimes while it finishes a
    // job: that job stays active until its lock lapses and the stall check gives it back (up to twice
    // WORKER_LOCK_DURATION_MS), as after a SIGKILL. A short lock keeps the run short on both backends.
    p = await startPipeline({
      backend,
      simulator: { faults: { latencyMs: 10 } },
      env: { WORKER_LOCK_DURATION_MS: '3000' },
    });
    await submitAll(p, learners(400, 'K'), 'K');
    const admin = new pg.Client({ connectionString: p.db.url });
    await admin.connect();
    try {
      for (let i = 0; i < 3; i++) {
        const pp = p;
        await waitUntil(async () => (await countTerminal(pp)) > 60 * (i + 1));
        // Every connection of the relay: its pool and outbox listener, and on the postgres backend its
        // queue connections (BullMQ renames a worker's LISTEN connection `<queue>:w:<worker name>`); not
        // this test's own pool (`<prefix> test`).
        // Right after a kill the relay may not have reconnected yet: kill again until something was killed.
        let killed: pg.QueryResult<{ application_name: string }> | undefined;
        await waitUntil(async () => {
          killed = await admin.query(
            `select pg_terminate_backend(pid), application_name from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid() and application_name <> $1`,
            [`${pp.prefix} test`],
          );
          return (killed.rowCount ?? 0) > 0;
        });
        if (backend === 'postgres' && i === 0) {
          const names = (killed?.rows ?? []).map((r) => r.application_name);
          expect(names).toContain(`${p.prefix}:worker`);
          expect(names.some((n) => n.includes(':w:'))).toBe(true);
        }
      }
    } finally {
      await admin.end();
    }
    const recoveredAt = Date.now();
    await p.settle(90_000);
    await reportRecovery(p, `postgres connections killed (3 times, ${backend})`, recoveredAt);
    await assertSettledOnce(p, 400);
  });

  it('loses nothing when worker processes are killed with SIGKILL repeatedly', async () => {
    // Producer and scheduler run here; the workers run in child processes that get killed.
    p = await startPipeline({
      backend,
      roles: ['producer', 'scheduler'],
      simulator: { faults: { latencyMs: 5 } },
      env: { WORKER_LOCK_DURATION_MS: '2000' },
    });
    // Each of the three kills lands after 100 more requests end, with a worker's jobs in flight, so the
    // guarantee is tested the same with 1,000 as with 2,000 (the last worker then finishes the rest): both
    // backends run 1,000 to keep CI's time.
    const total = 1_000;
    await submitAll(p, learners(total, 'S'), 'S');
    const pp = p;
    const env = {
      ...process.env,
      QUEUE_BACKEND: backend,
      DATABASE_URL: p.config.DATABASE_URL,
      REDIS_URL: p.config.REDIS_URL,
      QUEUE_PREFIX: p.config.QUEUE_PREFIX,
      LRS_BASE_URL: p.simulator.url,
      LRS_ALLOW_INSECURE_HTTP: 'true',
      LRS_TIMEOUT_MS: '2000',
      WORKER_LOCK_DURATION_MS: '2000',
      LRS_PASSWORD_10000001: SIM_PASSWORD,
      LOG_LEVEL: 'silent',
    };
    const startWorker = (): ChildProcess =>
      spawn(process.execPath, [BIN, 'start', '--role', 'worker'], { env, stdio: 'ignore' });
    for (let kill = 1; kill <= 3; kill++) {
      const child = startWorker();
      const before = await countTerminal(pp);
      await waitUntil(async () => (await countTerminal(pp)) > before + 100, 60_000);
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    const last = startWorker();
    const recoveredAt = Date.now();
    try {
      await p.settle(120_000);
      await reportRecovery(p, `worker processes killed with SIGKILL (3 times, ${backend})`, recoveredAt);
    } finally {
      last.kill('SIGTERM');
      await once(last, 'exit');
    }
    await assertSettledOnce(p, total);
  }, 300_000);
});
