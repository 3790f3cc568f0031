/**
 * The SQL of lrs.process: the heartbeats of the running relay processes (src/processes/heartbeat.ts
 * writes them; /readyz, the overview and lrs_relay_role_processes read them).
 */
import type { Queryable } from './transaction.ts';

export interface ProcessRecord {
  id: string;
  roles: string[];
  host: string;
  pid: number;
  version: string;
  healthUrl: string | null;
}

/** Records a process at start-up (or again, after its row was removed while Postgres was away). */
export async function upsertProcess(db: Queryable, p: ProcessRecord): Promise<void> {
  await db.query(
    `insert into lrs.process (id, roles, host, pid, version, health_url) values ($1, $2, $3, $4, $5, $6)
     on conflict (id) do update set roles = excluded.roles, health_url = excluded.health_url,
       last_seen_at = now(), stopped_at = null`,
    [p.id, p.roles, p.host, p.pid, p.version, p.healthUrl],
  );
}

/**
 * Refreshes a process's last_seen_at; false when its row is gone (then the caller records it again).
 * Also deletes the rows of processes neither seen nor stopped within `keepS` seconds.
 */
export async function touchProcess(db: Queryable, id: string, keepS: number): Promise<boolean> {
  const r = await db.query(
    `with gone as (delete from lrs.process where last_seen_at < now() - make_interval(secs => $2) and id <> $1)
     update lrs.process set last_seen_at = now(), stopped_at = null where id = $1`,
    [id, keepS],
  );
  return (r.rowCount ?? 0) > 0;
}

/** A clean stop: the process is no longer counted at once. */
export async function markProcessStopped(db: Queryable, id: string): Promise<void> {
  await db.query('update lrs.process set stopped_at = now() where id = $1', [id]);
}

/** A process as /readyz and the overview show it. */
export interface ProcessRow {
  id: string;
  roles: string[];
  host: string;
  pid: number;
  version: string;
  healthUrl: string | null;
  startedAt: Date;
  lastSeenAt: Date;
  /** Seconds since it was last seen. */
  silentS: number;
}

/** Processes not stopped and seen within `liveS` seconds, oldest first. */
export async function selectLiveProcesses(db: Queryable, liveS: number): Promise<ProcessRow[]> {
  const r = await db.query<ProcessRow>(
    `select id, roles, host, pid, version, health_url as "healthUrl", started_at as "startedAt",
            last_seen_at as "lastSeenAt", extract(epoch from now() - last_seen_at)::float8 as "silentS"
       from lrs.process
      where stopped_at is null and last_seen_at >= now() - make_interval(secs => $1)
      order by started_at, id`,
    [liveS],
  );
  return r.rows;
}
