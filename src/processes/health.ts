/**
 * Liveness and readiness: /healthz answers while the process runs; /readyz checks Postgres and the
 * queue store (`redis`, or `queues` when the queues live in Postgres) and, in a relay process, that
 * every required role (REQUIRED_ROLES) has a live process somewhere (`roles`: which run where, which
 * are missing; see src/processes/heartbeat.ts).
 */
import { queueStoreKey } from '../queues/catalogue.ts';
import type { QueueConnection } from '../queues/connection.ts';
import type { SupportDb } from '../db/pool.ts';
import type { RoleReport } from './heartbeat.ts';
import { withTimeout } from '../timeout.ts';

export interface ReadinessReport {
  ok: boolean;
  checks: Partial<
    Record<'postgres' | 'redis' | 'queues' | 'roles', { ok: boolean; error?: string; skipped?: boolean }>
  >;
  /** Which roles run where and which are missing (a relay process only). */
  roles?: RoleReport | undefined;
}

async function check<T>(
  fn: () => Promise<T>,
  timeoutMs: number,
): Promise<{ ok: boolean; error?: string; value?: T }> {
  try {
    return { ok: true, value: await withTimeout(fn(), timeoutMs) };
  } catch (e) {
    // The message only: connection errors may carry a URL, never the password (pg and ioredis omit it).
    return { ok: false, error: e instanceof Error ? e.message.slice(0, 200) : 'failed' };
  }
}

/**
 * Runs the checks at once (each at most `timeoutMs`, default 2000). The queue store counts as ready
 * when none is configured (reported as a skipped `redis` check). `roles` reads the heartbeats; a
 * required role without a live process makes the report not ready and names the role.
 */
export async function checkReadiness(o: {
  db: SupportDb;
  queueConnection?: QueueConnection | undefined;
  roles?: (() => Promise<RoleReport>) | undefined;
  timeoutMs?: number;
}): Promise<ReadinessReport> {
  const timeoutMs = o.timeoutMs ?? 2_000;
  const queues = o.queueConnection;
  const readRoles = o.roles;
  const [postgres, queueCheck, roles] = await Promise.all([
    check(() => o.db.pool.query('select 1'), timeoutMs),
    queues ? check(() => queues.ping(), timeoutMs) : Promise.resolve({ ok: true, skipped: true }),
    readRoles ? check(readRoles, timeoutMs) : Promise.resolve(undefined),
  ]);
  const report: ReadinessReport = {
    ok: postgres.ok && queueCheck.ok,
    checks: {
      postgres: { ok: postgres.ok, error: postgres.error },
      [queueStoreKey(queues?.backend)]: queueCheck,
    },
  };
  if (roles) {
    const missing = roles.value?.missing ?? [];
    const ok = roles.ok && missing.length === 0;
    report.checks.roles = ok
      ? { ok }
      : { ok, error: roles.error ?? `no live process runs the ${missing.join(', ')} role` };
    report.roles = roles.value;
    report.ok &&= ok;
  }
  return report;
}
