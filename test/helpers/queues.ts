/** A queue store for tests that build parts of a relay by hand (the dashboard, a queue to inspect). */
import pg from 'pg';
import { quoteSchemaName } from 'bullmq';
import type { QueueBackendKind } from '../../src/queues/catalogue.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import { createQueueConnection } from '../../src/queues/store.ts';
import { deletePrefixKeys } from './redis.ts';
import { redisUrl } from './urls.ts';

/** The backends the shared integration suites run on (QUEUE_BACKEND). */
export const TEST_BACKENDS: readonly QueueBackendKind[] = ['redis', 'postgres'];

export function createTestQueueConnection(o: {
  backend?: QueueBackendKind;
  prefix: string;
  databaseUrl: string;
  redisUrl?: string;
}): QueueConnection {
  return createQueueConnection({
    config: {
      QUEUE_BACKEND: o.backend ?? 'redis',
      REDIS_URL: o.redisUrl ?? redisUrl(),
      QUEUE_PREFIX: o.prefix,
      DATABASE_URL: o.databaseUrl,
      // Cloned from the template database, which the global setup migrated with this schema.
      QUEUE_SCHEMA: 'lrs_queue',
      DATABASE_STATEMENT_TIMEOUT_MS: 30_000,
    },
    tag: o.prefix,
  });
}

/** What loseQueueStorage needs of a run: where its queues are (a Pipeline has all three). */
export interface QueueStore {
  backend: QueueBackendKind;
  prefix: string;
  config: { DATABASE_URL: string; QUEUE_SCHEMA: string };
}

/** The queue schema's tables that hold queue state (the rest are BullMQ's migration record and its relay). */
const POSTGRES_QUEUE_TABLES = [
  'job',
  'job_log',
  'job_dependency',
  'scheduler',
  'meta',
  'rate_limit',
  'dedup',
  'dedup_next',
  'event',
  'metrics',
] as const;

/**
 * The queue store's contents lost while the relay runs, as after a crash without persistence: on Redis
 * every key of the run's prefix, deleted one by one; on Postgres every row of the queue schema, deleted
 * a few jobs at a time outside any transaction, so workers and sweeps meet a store half gone. Returns
 * how many keys or rows went.
 */
export async function loseQueueStorage(p: QueueStore): Promise<number> {
  if (p.backend === 'redis') return deletePrefixKeys(p.prefix);
  const c = new pg.Client({
    connectionString: p.config.DATABASE_URL,
    application_name: 'queue storage lost',
  });
  await c.connect();
  const schema = quoteSchemaName(p.config.QUEUE_SCHEMA);
  let deleted = 0;
  try {
    for (;;) {
      const r = await c.query(
        `delete from ${schema}.job where (queue, id) in (select queue, id from ${schema}.job limit 50)`,
      );
      deleted += r.rowCount ?? 0;
      if (!r.rowCount) break;
    }
    for (const table of POSTGRES_QUEUE_TABLES) {
      deleted += (await c.query(`delete from ${schema}.${table}`)).rowCount ?? 0;
    }
  } finally {
    await c.end();
  }
  return deleted;
}
