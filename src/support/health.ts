/**
 * Liveness and readiness: /healthz answers while the process runs; /readyz checks Postgres and the
 * queue store (`redis`, or `queues` when the queues live in Postgres).
 */
import { queueStoreKey, type QueueConnection } from '../queues.ts';
import type { SupportDb } from '../db/pool.ts';
import { withTimeout } from '../timeout.ts';

export interface ReadinessReport {
  ok: boolean;
  checks: Partial<
    Record<'postgres' | 'redis' | 'queues', { ok: boolean; error?: string; skipped?: boolean }>
  >;
}

async function check(
  fn: () => Promise<unknown>,
  timeoutMs: number,
): Promise<{ ok: boolean; error?: string }> {
  try {
    await withTimeout(fn(), timeoutMs);
    return { ok: true };
  } catch (e) {
    // The message only: connection errors may carry a URL, never the password (pg and ioredis omit it).
    return { ok: false, error: e instanceof Error ? e.message.slice(0, 200) : 'failed' };
  }
}

/**
 * Runs both checks at once (each at most `timeoutMs`, default 2000). The queue store counts as ready
 * when none is configured (reported as a skipped `redis` check).
 */
export async function checkReadiness(o: {
  db: SupportDb;
  queueConnection?: QueueConnection | undefined;
  timeoutMs?: number;
}): Promise<ReadinessReport> {
  const timeoutMs = o.timeoutMs ?? 2_000;
  const queues = o.queueConnection;
  const [postgres, queueCheck] = await Promise.all([
    check(() => o.db.pool.query('select 1'), timeoutMs),
    queues ? check(() => queues.ping(), timeoutMs) : Promise.resolve({ ok: true, skipped: true }),
  ]);
  return {
    ok: postgres.ok && queueCheck.ok,
    checks: { postgres, [queueStoreKey(queues?.backend)]: queueCheck },
  };
}
