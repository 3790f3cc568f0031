/**
 * Who goes first: one organisation's backlog must not starve another's, interactive work goes ahead of
 * bulk work, and an organisation's rate limit holds.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_PASSWORD, startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { waitUntil } from '../helpers/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/lrs-relay.js', import.meta.url));

/** The environment of a relay process started by the test beside the pipeline's simulator and stores. */
function relayEnv(p: Pipeline, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: p.config.DATABASE_URL,
    REDIS_URL: p.config.REDIS_URL,
    QUEUE_PREFIX: p.config.QUEUE_PREFIX,
    LRS_BASE_URL: p.simulator.url,
    LRS_ALLOW_INSECURE_HTTP: 'true',
    LRS_PASSWORD_10000001: SIM_PASSWORD,
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...extra,
  };
}
const find = (i: number) => ({
  givenName: 'Queue',
  familyName: `Order${i}`,
  dateOfBirth: '2002-02-02',
  gender: '1',
  lastKnownPostCode: 'CV4 9EE',
});

async function completionOrder(p: Pipeline, ids: number[]): Promise<number[]> {
  const r = await p.sql.query('select id from lrs.request where id = any($1) order by completed_at, id', [
    ids,
  ]);
  return r.rows.map((x) => x.id as number);
}

describe('scheduling', { timeout: 120_000 }, () => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it("one organisation's backlog does not hold up another organisation's work", async () => {
    p = await startPipeline({
      simulator: {
        faults: { latencyMs: 30 },
        organisations: [
          { ukprn: '10000001', password: SIM_PASSWORD, operations: ['*'] },
          { ukprn: '10000002', password: 'Other-College-16', operations: ['*'] },
        ],
      },
      organisations: [
        { ukprn: '10000001', password: SIM_PASSWORD },
        { ukprn: '10000002', password: 'Other-College-16' },
      ],
    });
    await p.sql.query(`update lrs.organisation set concurrency_share = 2`);
    // Queue everything while no worker runs, then start them: what finishes first is decided by the
    // queues alone, not by how fast this test can insert.
    await p.restartRelay(['producer']);
    const bulk: number[] = [];
    for (let i = 0; i < 400; i++)
      bulk.push(await p.submit('find_by_demographics', `A${i}`, find(i), { org: '10000001' }));
    const small: number[] = [];
    for (let i = 0; i < 10; i++)
      small.push(await p.submit('find_by_demographics', `B${i}`, find(i), { org: '10000002' }));
    const pp = p;
    await waitUntil(
      async () =>
        (await pp.sql.query(`select count(*)::int as n from lrs.request where status = 'queued'`)).rows[0]
          .n === 410,
    );
    await p.restartRelay(['producer', 'worker']);
    await p.settle(60_000);
    const r = await p.sql.query(
      `select max(completed_at) filter (where id = any($1)) as small_done,
              count(*) filter (where id = any($2) and completed_at > (select max(completed_at) from lrs.request where id = any($1)))::int as bulk_after
         from lrs.request`,
      [small, bulk],
    );
    // The other organisation finished while much of the first one's backlog was still waiting.
    expect(r.rows[0].bulk_after).toBeGreaterThan(100);
    const orgs = await p.sql.query(
      `select o.ukprn, count(*)::int as n from lrs.audit a join lrs.organisation o on o.id = a.organisation_id group by 1 order by 1`,
    );
    expect(orgs.rows).toEqual([
      { ukprn: '10000001', n: 400 },
      { ukprn: '10000002', n: 10 },
    ]);
  });

  it('interactive work goes ahead of bulk work', async () => {
    p = await startPipeline({ simulator: { faults: { latencyMs: 20 } } });
    await p.sql.query(`update lrs.organisation set concurrency_share = 2`);
    await p.relay.close();
    // Queue everything while no worker runs, then start workers: order is decided by priority alone.
    await p.restartRelay(['producer']);
    const bulk: number[] = [];
    for (let i = 0; i < 200; i++)
      bulk.push(await p.submit('find_by_demographics', `N${i}`, find(i), { priority: 10 }));
    const urgent: number[] = [];
    for (let i = 0; i < 10; i++)
      urgent.push(await p.submit('find_by_demographics', `U${i}`, find(i), { priority: 1 }));
    const pp = p;
    await waitUntil(
      async () =>
        (await pp.sql.query(`select count(*)::int as n from lrs.request where status = 'queued'`)).rows[0]
          .n === 210,
    );
    await p.restartRelay(['producer', 'worker']);
    await p.settle(60_000);
    const order = await completionOrder(p, [...bulk, ...urgent]);
    const lastUrgent = Math.max(...urgent.map((id) => order.indexOf(id)));
    expect(lastUrgent).toBeLessThan(20);
  });

  it("keeps an organisation's calls under its rate limit", async () => {
    p = await startPipeline();
    await p.sql.query(`update lrs.organisation set rate_limit_per_second = 10, concurrency_share = 16`);
    await p.restartRelay();
    for (let i = 0; i < 40; i++) await p.submit('find_by_demographics', `L${i}`, find(i));
    await p.settle(60_000);
    // BullMQ's limiter counts fixed windows, so a sliding second can see up to two windows' worth;
    // over the whole run the limit must hold: 40 calls at 10/s need at least 3 s between first and last.
    const r = await p.sql.query(
      `select max(n)::int as busiest, (select extract(epoch from max(created_at) - min(created_at)) from lrs.audit) as span
         from (select count(*) over (order by created_at range between interval '999 milliseconds' preceding and current row) as n
                 from lrs.audit) w`,
    );
    expect(r.rows[0].busiest).toBeLessThanOrEqual(20);
    expect(Number(r.rows[0].span)).toBeGreaterThanOrEqual(2.9);
  });

  it('finishes active jobs and exits 0 on SIGTERM', async () => {
    p = await startPipeline({ roles: ['producer', 'scheduler'], simulator: { faults: { latencyMs: 300 } } });
    for (let i = 0; i < 40; i++) await p.submit('find_by_demographics', `G${i}`, find(i));
    const child = spawn(process.execPath, [BIN, 'start', '--role', 'worker'], {
      env: relayEnv(p, { LOG_LEVEL: 'silent' }),
      stdio: 'ignore',
    });
    const pp = p;
    const inProgress = async () =>
      (await pp.sql.query(`select id from lrs.request where status = 'in_progress' order by id`)).rows.map(
        (r) => r.id as number,
      );
    await waitUntil(async () => (await inProgress()).length > 0);
    const started = await inProgress();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    // The requests it was working on when told to stop were finished by it, before it exited: each
    // ended with the LRS's answer, none left in progress or put back for another worker to redo.
    const r = await p.sql.query(
      `select r.id, r.status, o.code_source from lrs.request r left join lrs.outcome o on o.request_id = r.id
        where r.id = any($1) order by r.id`,
      [started],
    );
    expect(r.rows).toEqual(started.map((id) => ({ id, status: 'succeeded', code_source: 'lrs' })));
    expect(await inProgress()).toEqual([]);
  });

  it('shuts down in order and exits 0 on a SIGTERM that comes while it is still starting', async () => {
    p = await startPipeline({ roles: [] });
    const child = spawn(process.execPath, [BIN, 'start', '--role', 'all', '--port', '0'], {
      env: relayEnv(p, {
        LOG_LEVEL: 'info',
        // A retired setting: its warning is the first line start writes, before the roles start.
        BATCH_RETRY_DELAY_MS: '1000',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    await waitUntil(async () => out.includes('BATCH_RETRY_DELAY_MS is set but no longer used'));
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(out).toContain('shutting down: finishing active jobs');
    expect(out).toContain('lrs-relay stopped');
  });
});
