/**
 * The queues in Redis (one server, or a Redis Cluster with REDIS_CLUSTER_NODES): the one way this code
 * opens Redis, the key prefixes, and the QueueConnection over them.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { withTimeout } from '../timeout.ts';
import { readQueue, redactUrl, type QueueConnection, type QueueConnectionOptions } from './connection.ts';

/**
 * BullMQ key prefix of one queue, hash-tagged so every key of that queue lands in one Redis Cluster
 * slot (BullMQ's Lua scripts touch several keys of a queue at once) while different queues (one per
 * organisation) spread over the cluster's masters.
 */
export function bullPrefix(queuePrefix: string, queueName: string): string {
  return `{${queuePrefix}:${queueName}}`;
}

/** What matches every key of every queue under a prefix (SCAN MATCH pattern). */
function bullKeyPattern(queuePrefix: string): string {
  return `{${queuePrefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
}

/** A Redis connection BullMQ can use: one Redis server, or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/**
 * Where Redis is, as the configuration says: REDIS_URL, and REDIS_CLUSTER_NODES when the queues live on
 * a Redis Cluster (then REDIS_URL lends only its user name, password and TLS).
 */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: readonly { host: string; port: number }[] | undefined;
}

export interface RedisFactoryOptions {
  /**
   * The configuration itself, never a URL picked out of it: a connection made from REDIS_URL alone
   * would quietly run on one Redis while REDIS_CLUSTER_NODES names a cluster.
   */
  target: RedisTarget;
  /** Shown in CLIENT LIST; tests use it to find leaked connections. */
  connectionName: string;
}

/**
 * The one way this code opens Redis: a connection (one server, or ioredis's Cluster client when
 * REDIS_CLUSTER_NODES is set) for BullMQ. Workers need maxRetriesPerRequest: null (blocking commands);
 * queues used by producers fail fast instead of hanging when Redis is down.
 */
export function createRedis(
  o: RedisFactoryOptions & { forWorker: boolean; onError?: (e: Error) => void },
): RedisConnection {
  const options: RedisOptions = {
    connectionName: o.connectionName,
    maxRetriesPerRequest: o.forWorker ? null : 3,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
  const url = o.target.REDIS_URL;
  const clusterNodes = o.target.REDIS_CLUSTER_NODES;
  let redis: RedisConnection;
  if (clusterNodes?.length) {
    const u = new URL(url);
    redis = new Cluster([...clusterNodes], {
      redisOptions: {
        ...options,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      },
      clusterRetryStrategy: (times) => Math.min(times * 200, 5_000),
      // A failed-over master's slots move to its replica: follow MOVED/ASK and retry meanwhile.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 500,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: 2_000,
      enableOfflineQueue: true,
    });
  } else {
    redis = new Redis(url, options);
  }
  // Without a listener ioredis prints every failed reconnection; it keeps reconnecting either way.
  redis.on('error', o.onError ?? (() => {}));
  return redis;
}

/** How long a connection may take to say goodbye (QUIT) before it is dropped, ms. */
const REDIS_QUIT_TIMEOUT_MS = 2_000;

/**
 * Closes a connection: QUIT, or after REDIS_QUIT_TIMEOUT_MS a plain disconnect. A Cluster client sends
 * QUIT to every node it knows, and a node that died (a failed-over master) would hold it forever: a
 * worker connection (maxRetriesPerRequest null) queues the QUIT until that node comes back.
 */
export async function quitRedis(redis: RedisConnection): Promise<void> {
  const quit = redis.quit().then(
    () => undefined,
    () => undefined,
  );
  try {
    await withTimeout(quit, REDIS_QUIT_TIMEOUT_MS, 'Redis QUIT');
  } catch {
    redis.disconnect();
  }
}

export function createQueue(
  name: string,
  o: { connection: RedisConnection; queuePrefix: string; onError?: (e: Error) => void },
): Queue {
  const queue = new Queue(name, { connection: o.connection, prefix: bullPrefix(o.queuePrefix, name) });
  queue.on('error', o.onError ?? (() => {}));
  return queue;
}

/** Deletes every key under a queue prefix (the end of a demo or benchmark run); never the whole database. */
export async function deleteQueueKeys(redis: RedisConnection, queuePrefix: string): Promise<number> {
  // A cluster's keys live on its masters: scan each one. A new Cluster client knows its masters only
  // once it has read the slot map, so it answers a PING first.
  if (redis instanceof Cluster && redis.status !== 'ready') await redis.ping();
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', bullKeyPattern(queuePrefix), 'COUNT', '1000');
      cursor = next;
      // One DEL per key: in a cluster the keys of one batch may sit in different slots.
      for (const key of keys) deleted += await redis.del(key);
    } while (cursor !== '0');
  }
  return deleted;
}

export function createRedisQueueConnection(o: QueueConnectionOptions): QueueConnection {
  const { config, tag } = o;
  const onError = o.onError ?? (() => {});
  // Producers fail fast when Redis is down; workers block (BullMQ needs maxRetriesPerRequest null).
  const redis = createRedis({
    target: config,
    connectionName: `${tag}:queue`,
    forWorker: false,
    onError,
  });
  const workerRedis = createRedis({
    target: config,
    connectionName: `${tag}:worker`,
    forWorker: true,
    onError,
  });
  return {
    backend: 'redis',
    where: config.REDIS_CLUSTER_NODES?.length
      ? `Redis Cluster ${config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',')}`
      : redactUrl(config.REDIS_URL),
    createQueue: (name) =>
      createQueue(name, { connection: redis, queuePrefix: config.QUEUE_PREFIX, onError }),
    createQueueReader: (name) =>
      readQueue(createQueue(name, { connection: redis, queuePrefix: config.QUEUE_PREFIX, onError })),
    createWorker: (name, processor, options) =>
      new Worker(name, processor, {
        ...options,
        connection: workerRedis,
        prefix: bullPrefix(config.QUEUE_PREFIX, name),
      }),
    async ping() {
      await redis.ping();
    },
    deleteAll: () => deleteQueueKeys(redis, config.QUEUE_PREFIX),
    async close() {
      await Promise.all([quitRedis(redis), quitRedis(workerRedis)]);
    },
  };
}
