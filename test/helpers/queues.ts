/** A queue store for tests that build parts of a relay by hand (the dashboard, a queue to inspect). */
import { createQueueConnection, type QueueBackendKind, type QueueConnection } from '../../src/queues.ts';
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
