/**
 * On the Postgres queue backend, a worker and a queue made while Postgres is down work once it is back:
 * their first failed readiness check is not remembered (BullMQ 6.7 kept it, and such a worker never
 * fetched a job again, without an error). Runs against a private Postgres server, which it stops.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import { createQueueConnection } from '../../src/queues/store.ts';
import { startPrivatePostgres, type PrivateServer } from '../helpers/servers.ts';
import { waitUntil } from '../helpers/wait.ts';

describe('Postgres queue backend, Postgres down when a worker is made', { timeout: 120_000 }, () => {
  let server: PrivateServer;
  let store: QueueConnection;
  beforeAll(async () => {
    server = await startPrivatePostgres();
    const url = server.url.replace(/\/postgres$/, '/relay');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('create database relay');
    await admin.end();
    await migrateDatabase(url, { queueSchema: 'lrs_queue' });
    store = createQueueConnection({
      config: {
        QUEUE_BACKEND: 'postgres',
        REDIS_URL: 'redis://127.0.0.1:1',
        QUEUE_PREFIX: 'down',
        DATABASE_URL: url,
        QUEUE_SCHEMA: 'lrs_queue',
        DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
      },
      tag: 'pg-down-test',
    });
  });
  afterAll(async () => {
    await store?.close();
    await server?.destroy();
  });

  it('fetches and runs jobs once Postgres is back', async () => {
    await server.stop();
    const done: string[] = [];
    const worker = store.createWorker('down-q', async (job) => void done.push(String(job.id)), {
      concurrency: 2,
    });
    const queue = store.createQueue('down-q');
    try {
      // Both have met Postgres down (what BullMQ remembered).
      await expect(worker.waitUntilReady()).rejects.toThrow();
      await expect(queue.getJobCounts()).rejects.toThrow();
      await server.start();
      await waitUntil(() =>
        queue.add('j', {}, { jobId: 'after-outage' }).then(
          () => true,
          () => false,
        ),
      );
      await waitUntil(async () => done.includes('after-outage'), 30_000);
      await worker.waitUntilReady();
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
