/**
 * The queue store QUEUE_BACKEND names. Redis Cluster is the redis kind with REDIS_CLUSTER_NODES set;
 * another store would add one case here.
 */
import type { QueueConnection, QueueConnectionOptions } from './connection.ts';
import { createPostgresQueueConnection } from './postgres.ts';
import { createRedisQueueConnection } from './redis.ts';

/** Builds the queue store QUEUE_BACKEND names. Opens no connection until first use. */
export function createQueueConnection(o: QueueConnectionOptions): QueueConnection {
  switch (o.config.QUEUE_BACKEND) {
    case 'redis':
      return createRedisQueueConnection(o);
    case 'postgres':
      return createPostgresQueueConnection(o);
  }
}
