/**
 * Redis Cluster: with REDIS_CLUSTER_NODES naming a loopback cluster of three masters and three replicas
 * and REDIS_URL at a port where nothing listens, the work runs on the cluster and nowhere else. The demo
 * of 500 learners (every role in one process, the dashboard too) ends with every request terminal, its
 * /readyz and bull-board answer from the cluster, and the masters' own command counters show the work.
 * Then a run of 1,000 single calls and a registration batch with the master serving the organisation's
 * queue killed mid-run: its replica takes over, and every request still ends terminal exactly once with
 * nobody registered twice.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../db/schema.ts';
import { dropDemoDatabase } from '../../src/demo/database.ts';
import { runDemo } from '../../src/demo/run-demo.ts';
import { isPortOpen } from '../../src/demo/services.ts';
import { createLogger } from '../../src/log.ts';
import { singleQueueName } from '../../src/queues/catalogue.ts';
import { bullPrefix } from '../../src/queues/redis.ts';
import { createTestClient } from '../e2e/http-client.ts';
import { assertSettledOnce, countTerminal, learners, reportRecovery, submitAll } from '../helpers/chaos.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { freePort, startRedisCluster, type PrivateCluster } from '../helpers/servers.ts';
import { adminUrl } from '../helpers/urls.ts';
import { waitUntil } from '../helpers/wait.ts';

/** Commands each live master has executed so far, by port. */
async function masterCounters(cluster: PrivateCluster): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const port of await cluster.masters()) counts.set(port, await cluster.commandsProcessed(port));
  return counts;
}

/** Commands the masters executed since `before` (masters that died since are left out). */
async function commandsSince(cluster: PrivateCluster, before: Map<number, number>): Promise<number> {
  let total = 0;
  for (const [port, n] of await masterCounters(cluster)) total += n - (before.get(port) ?? 0);
  return total;
}

describe('Redis Cluster', { timeout: 300_000 }, () => {
  let p: Pipeline | undefined;
  let cluster: PrivateCluster;
  /** REDIS_URL of every run here: a loopback port where nothing listens, so work sent there fails. */
  let deadRedisUrl: string;
  let deadPort: number;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    deadPort = await freePort();
    while (cluster.ports.includes(deadPort)) deadPort = await freePort();
    deadRedisUrl = `redis://127.0.0.1:${deadPort}`;
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });
  afterEach(async () => {
    await p?.stop();
    p = undefined;
    // Nothing was started on REDIS_URL's port, so none of the work can have gone there.
    expect(await isPortOpen('127.0.0.1', deadPort)).toBe(false);
  });

  it('runs the demo of 500 learners on the cluster, every request terminal, the masters doing the work', async () => {
    expect(await isPortOpen('127.0.0.1', deadPort)).toBe(false);
    const name = `lrs_demo_cluster_${randomBytes(4).toString('hex')}`;
    const before = await masterCounters(cluster);
    expect(before.size).toBe(3);
    const seen: { readyz?: unknown; queues?: string[] } = {};
    try {
      const report = await runDemo({
        learners: 500,
        env: {
          DATABASE_URL: adminUrl(),
          REDIS_URL: deadRedisUrl,
          REDIS_CLUSTER_NODES: cluster.nodes,
          DASHBOARD_PORT: '0',
        },
        databaseName: name,
        log: createLogger({ level: 'silent' }),
        timeoutMs: 150_000,
        dashboard: true,
        // While the relay still runs: its /readyz and bull-board, as an operator would open them.
        beforeShutdown: async (r) => {
          expect(r.dashboardUrl).toBeDefined();
          expect(r.dashboardLogin).toBeDefined();
          const readyz = await fetch(`${r.dashboardUrl}/readyz`);
          seen.readyz = await readyz.json();
          const client = createTestClient(r.dashboardUrl!);
          expect((await client.logIn(r.dashboardLogin!.username, r.dashboardLogin!.password)).status).toBe(
            303,
          );
          const board = await client.get('/queues/board/api/queues', { accept: 'application/json' });
          expect(board.status).toBe(200);
          const body = (await board.json()) as { queues: { name: string }[] };
          seen.queues = body.queues.map((q) => q.name);
        },
      });
      const terminal = Object.entries(report.summary.byStatus)
        .filter(([status]) => (TERMINAL_STATUSES as readonly string[]).includes(status))
        .reduce((n, [, count]) => n + count, 0);
      expect(report.summary.requests).toBeGreaterThanOrEqual(490);
      expect(terminal).toBe(report.summary.requests);
      expect(report.summary.duplicateRegistrations).toBe(0);
      expect(seen.readyz).toMatchObject({ ok: true, checks: { redis: { ok: true } } });
      expect(seen.queues).toEqual(expect.arrayContaining(['batch', 'scheduler']));
      // The cluster carried the work: thousands of commands on its masters (a few hundred per thousand
      // requests would mean the queues lived somewhere else).
      const commands = await commandsSince(cluster, before);
      expect(commands).toBeGreaterThan(5_000);
      console.log(
        `redis cluster: the demo's ${report.summary.requests} requests took ${commands} commands on the masters`,
      );
    } finally {
      await dropDemoDatabase(adminUrl(), name);
    }
  });

  it('carries single calls and a batch through a master failover', async () => {
    p = await startPipeline({
      simulator: { faults: { latencyMs: 10 } },
      env: {
        REDIS_URL: deadRedisUrl,
        REDIS_CLUSTER_NODES: cluster.nodes,
        BATCH_WINDOW_MS: '500',
        BATCH_POLL_INITIAL_MS: '200',
      },
    });
    const org = await p.sql.query<{ id: number }>(`select id from lrs.organisation`);
    const queueKey = bullPrefix(p.prefix, singleQueueName(org.rows[0]!.id));
    // Different queues hash to different slots (so they spread over the masters): keys are tagged per
    // queue, not per prefix.
    expect(await cluster.slotOf(queueKey)).not.toBe(await cluster.slotOf(bullPrefix(p.prefix, 'batch')));
    const master = await cluster.masterFor(queueKey);
    const before = await cluster.commandsProcessed(master);

    const batch = learners(100, 'B');
    for (const [i, row] of batch.entries()) await p.submit('register', `B-${i}`, row, { mode: 'batch' });
    await submitAll(p, learners(1_000, 'C'), 'C');
    const pp = p;
    await waitUntil(async () => (await countTerminal(pp)) > 300, 60_000);
    // The master serving the queue is the one doing its work.
    expect((await cluster.commandsProcessed(master)) - before).toBeGreaterThan(1_000);
    await cluster.kill(master);
    await cluster.waitHealthy();
    const recoveredAt = Date.now();
    await p.settle(180_000);
    await reportRecovery(p, 'redis cluster master killed (replica promoted)', recoveredAt);
    await assertSettledOnce(p, 1_100);
    const batches = await p.sql.query(`select kind, status from lrs.batch`);
    expect(batches.rows.length).toBeGreaterThan(0);
    const viaBatch = await p.sql.query(
      `select count(*)::int as n from lrs.request r join lrs.outcome o on o.request_id = r.id
        where r.mis_learner_id like 'B-%' and o.code in ('RC001', 'RC002')`,
    );
    expect(viaBatch.rows[0].n).toBeGreaterThan(0);
  });
});
