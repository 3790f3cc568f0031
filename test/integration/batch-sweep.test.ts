/**
 * The batch sweep gives an open batch whose job is gone its job back (a submit job while assembled, a
 * poll job while submitted), and leaves alone a batch whose job finished between the sweep's read of
 * lrs.batch and its look at the queue (the batch has moved on: re-creating its job would be work for
 * nothing, hundreds of times over a large night).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepBatches } from '../../src/batches/sweep.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createLogger } from '../../src/log.ts';
import { batchJobId, QUEUES, type JobQueue } from '../../src/queues/catalogue.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTestQueueConnection } from '../helpers/queues.ts';
import { assertNoRedisLeaks, createQueuePrefix } from '../helpers/redis.ts';

describe('batch sweep', () => {
  let tdb: TestDatabase;
  let database: Database;
  let queues: QueueConnection;
  const prefix = createQueuePrefix();
  let org = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: `${prefix} batch-sweep-test` });
    queues = createTestQueueConnection({ prefix, databaseUrl: tdb.url });
    const o = await database.pool.query<{ id: number }>(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Sweep College', '10000778', '{"kind":"env","name":"X"}', 'nightly') returning id`,
    );
    org = o.rows[0]!.id;
  });
  afterAll(async () => {
    await queues?.deleteAll();
    await queues?.close();
    await database?.close();
    await assertNoRedisLeaks(prefix);
    await tdb?.drop();
  });

  /** A batch in `status`, untouched for an hour, so the sweep looks at it. */
  async function staleBatch(status: 'assembled' | 'submitted'): Promise<number> {
    const r = await database.pool.query<{ id: string }>(
      `insert into lrs.batch (organisation_id, kind, job_type, status, requested_by, record_count, updated_at)
       values ($1, 'registration', 'FUL', $2, 'nightly', 1, now() - interval '1 hour') returning id`,
      [org, status],
    );
    return Number(r.rows[0]!.id);
  }
  const sweep = (queue: JobQueue) =>
    sweepBatches({
      pool: database.pool,
      queue,
      log: createLogger({ level: 'silent' }),
      staleMs: 1_000,
      submitAttempts: 3,
    });

  it('gives a batch whose job is gone its submit or poll job back', async () => {
    const queue = queues.createQueue(QUEUES.batch);
    try {
      const assembled = await staleBatch('assembled');
      const submitted = await staleBatch('submitted');
      const result = await sweep(queue);
      expect(result).toMatchObject({ submitJobs: 1, pollJobs: 1 });
      expect(await queue.getJobState(batchJobId('submit', assembled))).toBe('waiting');
      expect(await queue.getJobState(batchJobId('poll', submitted))).toBe('waiting');
      // Their jobs are live now: the next sweep adds nothing.
      expect(await sweep(queue)).toMatchObject({ checked: 2, submitJobs: 0, pollJobs: 0 });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await database.pool.query(`delete from lrs.batch`);
    }
  });

  it('leaves alone a batch whose job finished while the sweep looked', async () => {
    const moved = await staleBatch('assembled');
    const added: string[] = [];
    // The submit job runs to the end between the sweep's read and its look at the queue: by the time the
    // queue is asked, the batch is submitted and the job is gone (removed on completion).
    const queue: JobQueue = {
      async getJobState() {
        await database.pool.query(
          `update lrs.batch set status = 'submitted', updated_at = now() where id = $1`,
          [moved],
        );
        return 'unknown';
      },
      async add(_name, _data, opts) {
        added.push(String(opts?.jobId));
        return undefined;
      },
      async remove() {
        return 0;
      },
    };
    try {
      expect(await sweep(queue)).toMatchObject({ checked: 1, submitJobs: 0, pollJobs: 0 });
      expect(added).toEqual([]);
    } finally {
      await database.pool.query(`delete from lrs.batch`);
    }
  });
});
