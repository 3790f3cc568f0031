/**
 * Redis Cluster: the relay on a loopback cluster of three masters and three replicas
 * (REDIS_CLUSTER_NODES), a run of 2,000 single calls and a registration batch, and the master serving
 * the organisation's queue killed mid-run: its replica takes over, and every request still ends terminal
 * exactly once with nobody registered twice.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../db/schema.ts';
import { dropDemoDatabase } from '../../src/demo/database.ts';
import { runDemo } from '../../src/demo/run-demo.ts';
import { createLogger } from '../../src/log.ts';
import { bullPrefix, singleQueueName } from '../../src/queues.ts';
import { assertSettledOnce, countTerminal, learners, reportRecovery, submitAll } from '../helpers/chaos.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { startRedisCluster, type PrivateCluster } from '../helpers/servers.ts';
import { adminUrl, redisUrl } from '../helpers/urls.ts';
import { waitUntil } from '../helpers/wait.ts';

describe('Redis Cluster', { timeout: 300_000 }, () => {
  let p: Pipeline | undefined;
  let cluster: PrivateCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('runs the demo of 500 learners on the cluster, every request terminal', async () => {
    const name = `lrs_demo_cluster_${randomBytes(4).toString('hex')}`;
    try {
      const report = await runDemo({
        learners: 500,
        env: { DATABASE_URL: adminUrl(), REDIS_URL: redisUrl(), REDIS_CLUSTER_NODES: cluster.nodes },
        databaseName: name,
        ensureServices: false,
        log: createLogger({ level: 'silent' }),
        timeoutMs: 120_000,
      });
      const terminal = Object.entries(report.summary.byStatus)
        .filter(([status]) => (TERMINAL_STATUSES as readonly string[]).includes(status))
        .reduce((n, [, count]) => n + count, 0);
      expect(report.summary.requests).toBeGreaterThanOrEqual(490);
      expect(terminal).toBe(report.summary.requests);
      expect(report.summary.duplicateRegistrations).toBe(0);
    } finally {
      await dropDemoDatabase(adminUrl(), name);
    }
  });

  it('carries single calls and a batch through a master failover', async () => {
    p = await startPipeline({
      simulator: { faults: { latencyMs: 10 } },
      env: { REDIS_CLUSTER_NODES: cluster.nodes, BATCH_WINDOW_MS: '500', BATCH_POLL_INITIAL_MS: '200' },
    });
    const org = await p.sql.query<{ id: number }>(`select id from lrs.organisation`);
    const queueKey = bullPrefix(p.prefix, singleQueueName(org.rows[0]!.id));
    // Different queues hash to different slots (so they spread over the masters): keys are tagged per
    // queue, not per prefix.
    expect(await cluster.slotOf(queueKey)).not.toBe(await cluster.slotOf(bullPrefix(p.prefix, 'batch')));

    const batch = learners(100, 'B');
    for (const [i, row] of batch.entries()) await p.submit('register', `B-${i}`, row, { mode: 'batch' });
    await submitAll(p, learners(2_000, 'C'), 'C');
    const pp = p;
    await waitUntil(async () => (await countTerminal(pp)) > 300, 60_000);
    await cluster.kill(await cluster.masterFor(queueKey));
    await cluster.waitHealthy();
    const recoveredAt = Date.now();
    await p.settle(180_000);
    await reportRecovery(p, 'redis cluster master killed (replica promoted)', recoveredAt);
    await assertSettledOnce(p, 2_100);
    const batches = await p.sql.query(`select kind, status from lrs.batch`);
    expect(batches.rows.length).toBeGreaterThan(0);
    const viaBatch = await p.sql.query(
      `select count(*)::int as n from lrs.request r join lrs.outcome o on o.request_id = r.id
        where r.mis_learner_id like 'B-%' and o.code in ('RC001', 'RC002')`,
    );
    expect(viaBatch.rows[0].n).toBeGreaterThan(0);
  });
});
