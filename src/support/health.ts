/** Liveness and readiness: /healthz answers while the process runs; /readyz checks Postgres and Redis. */
import type { SupportDb } from '../db/pool.ts';
import type { QueueConnection } from '../queues.ts';

export interface ReadinessReport {
  ok: boolean;
  checks: Record<'postgres' | 'redis', { ok: boolean; error?: string; skipped?: boolean }>;
}

async function check(
  fn: () => Promise<unknown>,
  timeoutMs: number,
): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (e) {
    // The message only: connection errors may carry a URL, never the password (pg and ioredis omit it).
    return { ok: false, error: e instanceof Error ? e.message.slice(0, 200) : 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs both checks at once (each at most `timeoutMs`, default 2000). Redis counts as ready when none is configured. */
export async function checkReadiness(o: {
  db: SupportDb;
  redis?: QueueConnection | undefined;
  timeoutMs?: number;
}): Promise<ReadinessReport> {
  const timeoutMs = o.timeoutMs ?? 2_000;
  const redis = o.redis;
  const [postgres, redisCheck] = await Promise.all([
    check(() => o.db.pool.query('select 1'), timeoutMs),
    redis ? check(() => redis.ping(), timeoutMs) : Promise.resolve({ ok: true, skipped: true }),
  ]);
  return { ok: postgres.ok && redisCheck.ok, checks: { postgres, redis: redisCheck } };
}
