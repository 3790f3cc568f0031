/**
 * A random queue prefix per test, and a check that the code under test closed its Redis connections:
 * every connection made for a test carries the test's prefix in its client name.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { deleteQueueKeys } from '../../src/queues/redis.ts';
import { redisUrl } from './urls.ts';

export function createQueuePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Lists open Redis connections whose client name contains `tag`. */
export async function openRedisClients(tag: string): Promise<string[]> {
  const r = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    const list = (await r.client('LIST')) as string;
    return list
      .split('\n')
      .map((l) => /name=(\S*)/.exec(l)?.[1] ?? '')
      .filter((n) => n.includes(tag));
  } finally {
    r.disconnect();
  }
}

/** Fails if connections named with `tag` are still open after a short grace period. */
export async function assertNoRedisLeaks(tag: string): Promise<void> {
  let open: string[] = [];
  for (let i = 0; i < 20; i++) {
    open = await openRedisClients(tag);
    if (open.length === 0) return;
    await sleep(50);
  }
  throw new Error(`leaked ${open.length} Redis connection(s): ${open.join(', ')}`);
}

/** Deletes every Redis key of one queue prefix (never FLUSHALL: tests share the server). Returns how many. */
export async function deletePrefixKeys(prefix: string): Promise<number> {
  const r = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    return await deleteQueueKeys(r, prefix);
  } finally {
    r.disconnect();
  }
}
