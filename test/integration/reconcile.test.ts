/**
 * The reconcile sweep puts a request whose job is gone back to pending, and clears whatever is left
 * under the job's id first: a queue store lost in part (keys deleted one by one while the relay runs,
 * or a restart from a partial snapshot) can keep a job's hash while no list holds its id. BullMQ
 * ignores an add under a known id, so without that clearing the request would go round the sweep,
 * pending, queued and never run, forever.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createLogger } from '../../src/log.ts';
import { JOBS, requestJobId, singleQueueName } from '../../src/queues/catalogue.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import { createQueueConnection } from '../../src/queues/store.ts';
import { reconcileRequests } from '../../src/requests/reconcile.ts';
import { DEFAULT_RETRY_POLICY, maxAttempts } from '../../src/codes/retry-policy.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { assertNoRedisLeaks, createQueuePrefix } from '../helpers/redis.ts';
import { redisUrl } from '../helpers/urls.ts';

describe('reconcile sweep', () => {
  let tdb: TestDatabase;
  let database: Database;
  let queues: QueueConnection;
  let redis: Redis;
  const prefix = createQueuePrefix();
  let org = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: `${prefix} reconcile-test` });
    queues = createQueueConnection({
      config: {
        QUEUE_BACKEND: 'redis',
        REDIS_URL: redisUrl(),
        QUEUE_PREFIX: prefix,
        DATABASE_URL: tdb.url,
        QUEUE_SCHEMA: 'lrs_queue',
        DATABASE_STATEMENT_TIMEOUT_MS: 30_000,
      },
      tag: prefix,
    });
    redis = new Redis(redisUrl(), { connectionName: `${prefix}:raw` });
    const o = await database.pool.query<{ id: number }>(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Reconcile College', '10000777', '{"kind":"env","name":"X"}', 'nightly') returning id`,
    );
    org = o.rows[0]!.id;
  });
  afterAll(async () => {
    redis?.disconnect();
    await queues?.deleteAll();
    await queues?.close();
    await database?.close();
    await assertNoRedisLeaks(prefix);
    await tdb?.drop();
  });

  /** A request queued an hour ago, so the sweep looks at it, with `attempts` used. */
  async function staleQueuedRequest(attempts = 0): Promise<number> {
    const r = await database.pool.query<{ id: number }>(
      `insert into lrs.request (organisation_id, requested_by, kind, mode, mis_learner_id, payload, status, updated_at, attempts)
       values ($1, 'mis.user', 'verify', 'single', 'STU-1', '{}'::jsonb, 'queued', now() - interval '1 hour', $2)
       returning id`,
      [org, attempts],
    );
    return Number(r.rows[0]!.id);
  }
  const sweep = (queue: ReturnType<QueueConnection['createQueue']>) =>
    reconcileRequests({
      pool: database.pool,
      queueFor: () => queue,
      log: createLogger({ level: 'silent' }),
      staleMs: 1_000,
      policy: DEFAULT_RETRY_POLICY,
    });

  it('clears a job hash no list holds, so the request can be queued again', async () => {
    const queue = queues.createQueue(singleQueueName(org));
    try {
      const id = await staleQueuedRequest();
      const jobId = requestJobId(id);
      await queue.add(JOBS.request, { requestId: id }, { jobId });
      // The partial loss: the wait list went, the job's hash stayed.
      expect(await redis.lrem(queue.keys.wait!, 0, jobId)).toBe(1);
      expect(await queue.getJobState(jobId)).toBe('unknown');

      expect(await sweep(queue)).toEqual({ checked: 1, requeued: 1, failed: 0 });
      const row = await database.pool.query('select status from lrs.request where id = $1', [id]);
      expect(row.rows[0].status).toBe('pending');
      expect(await queue.getJob(jobId)).toBeUndefined();
      // What the outbox relay does next now takes: the job waits to run.
      await queue.add(JOBS.request, { requestId: id }, { jobId });
      expect(await queue.getJobState(jobId)).toBe('waiting');
    } finally {
      await queue.close();
    }
  });

  it('fails a lost request once it has used the attempts the policy allows, and re-queues one with an attempt left', async () => {
    const queue = queues.createQueue(singleQueueName(org));
    try {
      // The one count of attempts (lrs.request.attempts) against the policy's largest class limit.
      const limit = maxAttempts(DEFAULT_RETRY_POLICY);
      const spent = await staleQueuedRequest(limit);
      const left = await staleQueuedRequest(limit - 1);
      expect(await sweep(queue)).toEqual({ checked: 2, requeued: 1, failed: 1 });
      const rows = await database.pool.query(
        `select r.id, r.status, o.code from lrs.request r left join lrs.outcome o on o.request_id = r.id
          where r.id = any($1) order by r.id`,
        [[spent, left]],
      );
      expect(rows.rows.map((r) => [Number(r.id), r.status, r.code])).toEqual([
        [spent, 'failed', 'RETRIES_EXHAUSTED'],
        [left, 'pending', null],
      ]);
      // Failed once: the next sweep finds nothing to do.
      expect(await sweep(queue)).toEqual({ checked: 0, requeued: 0, failed: 0 });
    } finally {
      await queue.close();
    }
  });

  it('leaves a request whose job is still waiting alone', async () => {
    const queue = queues.createQueue(singleQueueName(org));
    try {
      const id = await staleQueuedRequest();
      const jobId = requestJobId(id);
      await queue.add(JOBS.request, { requestId: id }, { jobId });
      expect(await sweep(queue)).toEqual({ checked: 1, requeued: 0, failed: 0 });
      expect(await queue.getJobState(jobId)).toBe('waiting');
      const row = await database.pool.query('select status from lrs.request where id = $1', [id]);
      expect(row.rows[0].status).toBe('queued');
    } finally {
      await queue.close();
    }
  });
});
