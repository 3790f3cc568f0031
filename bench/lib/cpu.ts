/**
 * CPU time by component over a measured window, from /proc (Linux only): this process (the relay),
 * the simulator's process, the Postgres processes that served the benchmark (its database's backends
 * and the server's background processes, so other databases' work on a shared server is left out) and
 * every `redis-server` process on the machine.
 * Benchmarks report it per request, because on a small machine all four share the same cores and the
 * throughput ceiling is cores ÷ CPU per request. A Postgres process that exits inside the window (an
 * autovacuum worker, a pooled connection closed when idle) is counted through its server's reaped-children
 * time (part `exited`); on a shared server that includes other databases' backends that ended meanwhile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export type Component = 'relay' | 'simulator' | 'postgres' | 'redis';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux build we know of. */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  comm: string;
  ppid: number;
  /** Its own CPU. */
  ticks: number;
  /** The CPU of its children that have exited and been waited for. */
  childTicks: number;
}

function ticksOf(pid: string): ProcessTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // Once pid and comm are removed, stat's field 4 (ppid) is at 1, 14 and 15 (utime, stime) at 11 and 12,
    // 16 and 17 (cutime, cstime) at 13 and 14.
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

type Snapshot = { totals: Map<Component, number>; postgres: Map<number, ProcessTimes> };

function snapshot(simulatorPid: number | undefined): Snapshot | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  const totals = new Map<Component, number>();
  const postgres = new Map<number, ProcessTimes>();
  const add = (c: Component, t: number) => totals.set(c, (totals.get(c) ?? 0) + t);
  for (const pid of pids) {
    const s = ticksOf(pid);
    if (!s) continue;
    if (Number(pid) === process.pid) add('relay', s.ticks);
    else if (Number(pid) === simulatorPid) add('simulator', s.ticks);
    else if (s.comm === 'postgres') postgres.set(Number(pid), s);
    else if (s.comm === 'redis-server') add('redis', s.ticks);
  }
  return { totals, postgres };
}

/**
 * Whose work a Postgres process did: the relay's connections, the MIS's (the benchmark's inserts), the
 * server's own; `exited` for processes that ended inside the window.
 */
export type PostgresPart = 'relay' | 'mis' | 'server' | 'exited';

/** A Postgres process to count, as POSTGRES_PIDS_SQL returns it. */
export interface PostgresProcess {
  pid: number;
  part: PostgresPart;
}

export interface CpuWindow {
  /**
   * CPU ms per unit of work by component, plus the total and the ceiling it implies on this machine's
   * cores, and Postgres's CPU by part (`postgresByPart`). `postgres` are the Postgres processes to count
   * (POSTGRES_PIDS_SQL); none → no Postgres.
   */
  stop(units: number, postgres?: readonly PostgresProcess[]): Record<string, unknown> | undefined;
}

/** The application_name of a benchmark's own connections, which stand for the MIS (its inserts, its polling). */
export const MIS_APPLICATION_NAME = 'lrs-relay bench mis';

/**
 * The Postgres processes serving a database (its backends plus the server's background processes), each
 * with the part it works for.
 */
export const POSTGRES_PIDS_SQL = `
  select pid, case when backend_type <> 'client backend' then 'server'
                   when application_name = '${MIS_APPLICATION_NAME}' then 'mis'
                   else 'relay' end as part
    from pg_stat_activity where datname = current_database() or datname is null`;

/** Starts a window; `stop()` returns undefined where /proc is not readable. */
export function startCpuWindow(simulatorPid?: number): CpuWindow {
  const before = snapshot(simulatorPid);
  return {
    stop(units, postgres = []) {
      const after = snapshot(simulatorPid);
      if (!before || !after || units <= 0) return undefined;
      const ticks = new Map<Component, number>();
      for (const [c, t] of after.totals) ticks.set(c, t - (before.totals.get(c) ?? 0));
      const msPerUnit = (t: number) => (t * 1000) / TICKS_PER_SECOND / units;
      const rounded = (ms: number) => Math.round(ms * 1000) / 1000;
      const byPart = new Map<PostgresPart, number>();
      if (postgres.length > 0) {
        let pg = 0;
        const count = (part: PostgresPart, t: number) => {
          byPart.set(part, (byPart.get(part) ?? 0) + t);
          pg += t;
        };
        for (const { pid, part } of postgres)
          count(part, (after.postgres.get(pid)?.ticks ?? 0) - (before.postgres.get(pid)?.ticks ?? 0));
        // The server of these processes (their parent) has the CPU of those that exited meanwhile.
        const servers = new Set(postgres.map((p) => after.postgres.get(p.pid)?.ppid));
        for (const server of servers) {
          if (server === undefined) continue;
          const reaped =
            (after.postgres.get(server)?.childTicks ?? 0) - (before.postgres.get(server)?.childTicks ?? 0);
          count('exited', reaped);
        }
        ticks.set('postgres', pg);
      }
      const perUnit: Record<string, number> = {};
      let total = 0;
      for (const [c, t] of ticks) {
        perUnit[c] = rounded(msPerUnit(t));
        total += msPerUnit(t);
      }
      const cores = availableParallelism();
      return {
        cpuMsPerRequest: { ...perUnit, total: rounded(total) },
        ...(byPart.size > 0
          ? { postgresByPart: Object.fromEntries([...byPart].map(([p, t]) => [p, rounded(msPerUnit(t))])) }
          : {}),
        cores,
        cpuBoundRequestsPerSecond: total > 0 ? Math.round((cores * 1000) / total) : undefined,
      };
    },
  };
}
