/**
 * /metrics parses as Prometheus text and moves when work is done, on either queue backend (the queue
 * store's lrs_relay_scrape_up source is `redis`, or `queues` on Postgres, as /readyz names it); /readyz
 * reports 503 naming the queue store when it does not answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import { queueStoreKey, singleQueueName } from '../../src/queues/catalogue.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { parsePrometheusText, sampleValue } from '../../src/support/prometheus-text.ts';
import { seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { assertNoRedisLeaks, createQueuePrefix } from '../helpers/redis.ts';
import { createTestQueueConnection, TEST_BACKENDS } from '../helpers/queues.ts';

describe.each(TEST_BACKENDS)('support metrics and health on %s', (backend) => {
  let tdb: TestDatabase;
  let database: Database;
  let queueConnection: QueueConnection;
  let metrics: Metrics;
  let dashboard: Dashboard;
  let base: string;
  let s: Seeded;
  const prefix = createQueuePrefix();

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-metrics-test' });
    queueConnection = createTestQueueConnection({ backend, prefix, databaseUrl: tdb.url });
    s = await seedSupportData(database.pool);
    metrics = createMetrics();
    ({ dashboard, url: base } = await startTestDashboard({
      db: database,
      queueConnection,
      config: { QUEUE_PREFIX: prefix, METRICS_PUBLIC: true },
      metrics,
    }));
  });

  afterAll(async () => {
    await dashboard?.close();
    await queueConnection?.close();
    await database?.close();
    await tdb?.drop();
    await assertNoRedisLeaks(prefix);
  });

  const scrape = async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await r.text());
  };

  it('serves valid Prometheus text with process metrics and gauges from Postgres and the queue store', async () => {
    const m = await scrape();
    expect(m.get('lrs_relay_requests')?.type).toBe('gauge');
    expect(m.get('lrs_relay_process_cpu_seconds_total')?.type).toBe('counter');
    expect(m.get('lrs_relay_lrs_call_duration_seconds')?.type).toBe('histogram');
    const org = '10000001'; // Alpha College (s.orgA), labelled by its UKPRN
    expect(
      sampleValue(m, 'lrs_relay_requests', {
        status: 'pending',
        kind: 'find_by_demographics',
        organisation: org,
      }),
    ).toBe(1);
    // Only open requests: finished ones are counted as they finish (lrs_relay_request_outcomes_total), and
    // those waiting for staff by lrs_relay_open_exceptions.
    for (const status of ['needs_action', 'failed', 'succeeded'])
      expect(
        sampleValue(m, 'lrs_relay_requests', { status, kind: 'find_by_demographics', organisation: org }),
      ).toBe(undefined);
    expect(sampleValue(m, 'lrs_relay_open_exceptions', { status: 'failed', code: 'TIMEOUT' })).toBe(2);
    expect(sampleValue(m, 'lrs_relay_open_exceptions', { status: 'needs_action', code: 'WSRC0003' })).toBe(2);
    expect(sampleValue(m, 'lrs_relay_queue_jobs', { queue: singleQueueName(s.orgA), state: 'waiting' })).toBe(
      0,
    );
    expect(sampleValue(m, 'lrs_relay_scrape_up', { source: 'postgres' })).toBe(1);
    const queueSource = backend === 'postgres' ? 'queues' : 'redis';
    expect(sampleValue(m, 'lrs_relay_scrape_up', { source: queueSource })).toBe(1);
    expect(m.get('lrs_relay_scrape_up')?.samples).toHaveLength(2);
  });

  it('moves when work is done', async () => {
    const org = '10000001'; // Alpha College (s.orgA), labelled by its UKPRN
    const before = await scrape();
    const pendingBefore =
      sampleValue(before, 'lrs_relay_requests', {
        status: 'pending',
        kind: 'find_by_demographics',
        organisation: org,
      }) ?? 0;
    await database.pool.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload) select $1, 'mis', 'find_by_demographics', 'STU-' || g, '{}' from generate_series(1, 3) g`,
      [s.orgA],
    );
    await database.pool.query(
      `update lrs.request set status = 'succeeded', completed_at = now() where id = $1`,
      [s.pending],
    );
    await database.pool.query(
      `insert into lrs.batch (organisation_id, kind, requested_by, record_count, status) values ($1, 'registration', 'nightly', 10, 'submitted')`,
      [s.orgA],
    );
    const queue = queueConnection.createQueue(singleQueueName(s.orgA));
    try {
      await queue.add('lrs.request', { requestId: 1 }, { priority: 1 });
      await queue.add('lrs.request', { requestId: 2 }, { delay: 60_000 });
      metrics.recordCall({
        operation: 'learnerByDemographics',
        organisation: '10000001',
        userName: 'mis',
        code: 'WSRC0004',
        codeSource: 'lrs',
        durationMs: 300,
      });
      const after = await scrape();
      expect(
        sampleValue(after, 'lrs_relay_requests', {
          status: 'pending',
          kind: 'find_by_demographics',
          organisation: org,
        }),
      ).toBe(pendingBefore - 1 + 3);
      expect(
        sampleValue(after, 'lrs_relay_requests', {
          status: 'succeeded',
          kind: 'find_by_demographics',
          organisation: org,
        }),
      ).toBe(undefined);
      expect(sampleValue(after, 'lrs_relay_batches', { kind: 'registration', status: 'submitted' })).toBe(1);
      expect(
        sampleValue(after, 'lrs_relay_queue_jobs', { queue: singleQueueName(s.orgA), state: 'waiting' }),
      ).toBe(1);
      expect(
        sampleValue(after, 'lrs_relay_queue_jobs', { queue: singleQueueName(s.orgA), state: 'delayed' }),
      ).toBe(1);
      expect(
        sampleValue(after, 'lrs_relay_lrs_call_duration_seconds_count', {
          operation: 'learnerByDemographics',
          code_source: 'lrs',
        }),
      ).toBe(1);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('answers /readyz with 503 naming the queue store when it does not answer', async () => {
    // Nothing listens on port 1: Redis there, or the queues' Postgres there (the records' Postgres answers).
    const dead = createTestQueueConnection({
      backend,
      prefix: `${prefix}-dead`,
      databaseUrl: backend === 'postgres' ? 'postgres://postgres@127.0.0.1:1/nothing' : tdb.url,
      redisUrl: 'redis://127.0.0.1:1',
    });
    const { dashboard: d, url } = await startTestDashboard({
      db: database,
      queueConnection: dead,
      config: { QUEUE_PREFIX: prefix, METRICS_PUBLIC: true },
    });
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const r = await fetch(`${url}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({
        ok: false,
        checks: { postgres: { ok: true }, [queueStoreKey(backend)]: { ok: false } },
      });
    } finally {
      await d.close();
      await dead.close();
    }
  });
});
