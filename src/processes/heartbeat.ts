/**
 * Heartbeats: each relay process records itself in lrs.process (roles, host, pid, version, where its
 * health endpoints answer) when it starts, refreshes the row every HEARTBEAT_INTERVAL_MS and marks it
 * stopped when it shuts down cleanly. A role without a process seen in the last PROCESS_LIVE_S seconds
 * is missing: /readyz says so, the overview shows it and lrs_relay_role_processes drops to 0.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  markProcessStopped,
  selectLiveProcesses,
  touchProcess,
  upsertProcess,
  type ProcessRow,
} from '../db/processes.ts';
import type { Queryable } from '../db/transaction.ts';
import { createThrottledWarning } from '../queues/connection.ts';
import type { Role } from '../config.ts';

/** How often a process refreshes its row. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** A process not seen for this long no longer counts (four missed heartbeats). */
export const PROCESS_LIVE_S = 60;
/** Rows of processes gone for this long are deleted. */
const PROCESS_KEEP_S = 86_400;

let version: string | undefined;

/** lrs-relay's version, from the package.json above this file (the checkout, or the one dist/ is in). */
export function relayVersion(): string {
  if (version !== undefined) return version;
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'lrs-relay' && typeof pkg.version === 'string') return (version = pkg.version);
    } catch {
      // not here: look one folder up
    }
    dir = new URL('..', dir);
  }
  return (version = 'unknown');
}

export interface Heartbeat {
  /** This process's id in lrs.process. */
  id: string;
  /** Stops the heartbeats and marks the process stopped. */
  close(): Promise<void>;
}

/** Records this process and keeps its row fresh. Throws when the first write fails (Postgres is checked just before). */
export async function startHeartbeat(o: {
  pool: Queryable;
  roles: readonly Role[];
  /** Where /healthz, /readyz and /metrics of this process answer, if anywhere. */
  healthUrl?: string | undefined;
  log: Logger;
  intervalMs?: number;
}): Promise<Heartbeat> {
  const record = {
    id: randomUUID(),
    roles: [...o.roles],
    host: hostname(),
    pid: process.pid,
    version: relayVersion(),
    healthUrl: o.healthUrl ?? null,
  };
  await upsertProcess(o.pool, record);
  const warn = createThrottledWarning((e) =>
    o.log.warn({ err: e }, 'cannot record this process in lrs.process; trying again'),
  );
  let running: Promise<void> = Promise.resolve();
  const beat = async () => {
    try {
      if (!(await touchProcess(o.pool, record.id, PROCESS_KEEP_S))) await upsertProcess(o.pool, record);
    } catch (e) {
      warn(e as Error);
    }
  };
  const timer = setInterval(() => {
    running = beat();
  }, o.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    id: record.id,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await running;
        await markProcessStopped(o.pool, record.id).catch((e: unknown) =>
          o.log.warn({ err: e }, 'cannot mark this process stopped in lrs.process'),
        );
      })();
      return closing;
    },
  };
}

/** Which roles run where, and which required ones have no live process. */
export interface RoleReport {
  missing: Role[];
  processes: {
    roles: string[];
    host: string;
    pid: number;
    version: string;
    healthUrl: string | null;
    startedAt: string;
    lastSeenSecondsAgo: number;
  }[];
}

export async function readRoleReport(pool: Queryable, required: readonly Role[]): Promise<RoleReport> {
  const rows: ProcessRow[] = await selectLiveProcesses(pool, PROCESS_LIVE_S);
  const running = new Set(rows.flatMap((r) => r.roles));
  return {
    missing: required.filter((r) => !running.has(r)),
    processes: rows.map((r) => ({
      roles: r.roles,
      host: r.host,
      pid: r.pid,
      version: r.version,
      healthUrl: r.healthUrl,
      startedAt: r.startedAt.toISOString(),
      lastSeenSecondsAgo: Math.round(r.silentS),
    })),
  };
}

/** Live processes per role: every required role (0 when none) and any other role that runs. */
export function countByRole(report: RoleReport, required: readonly Role[]): Map<string, number> {
  const counts = new Map<string, number>(required.map((r) => [r, 0]));
  for (const p of report.processes) for (const r of p.roles) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}
