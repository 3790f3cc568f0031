/**
 * Waits until every request is terminal, counting by status from lrs.request, and draws a progress bar:
 * redrawn in place with `\r` on a terminal, a plain line every few seconds otherwise (logs, CI).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { TERMINAL_STATUSES } from '../../db/schema.ts';

export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean | undefined;
}

export interface RequestCounts {
  total: number;
  done: number;
  byStatus: Record<string, number>;
}

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATUSES);

export async function countRequests(pool: pg.Pool): Promise<RequestCounts> {
  const r = await pool.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from lrs.request group by status order by status',
  );
  const byStatus: Record<string, number> = {};
  let total = 0;
  let done = 0;
  for (const row of r.rows) {
    byStatus[row.status] = row.n;
    total += row.n;
    if (TERMINAL.has(row.status)) done += row.n;
  }
  return { total, done, byStatus };
}

/** One bar line: `[#########-----------]  912/2000  46%  12.3s  (queued 80, in_progress 16)`. */
export function formatBar(c: RequestCounts, seconds: number, width = 30): string {
  const ratio = c.total === 0 ? 0 : c.done / c.total;
  const filled = Math.round(ratio * width);
  const open = Object.entries(c.byStatus)
    .filter(([s, n]) => !TERMINAL.has(s) && n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  const pad = String(c.total).length;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(c.done).padStart(pad)}/${c.total} ${String(Math.floor(ratio * 100)).padStart(3)}%  ${seconds.toFixed(1)}s${open ? `  (${open})` : ''}`;
}

/**
 * Polls until every request is terminal and `isProducing()` is false, or `timeoutMs` passes (then throws
 * with the counts), or `signal` aborts. `sink` null draws nothing.
 */
export async function waitUntilSettled(
  pool: pg.Pool,
  o: {
    sink: ProgressSink | null;
    startedAt: number;
    timeoutMs: number;
    isProducing: () => boolean;
    intervalMs?: number;
    signal?: AbortSignal;
  },
): Promise<RequestCounts> {
  const tty = o.sink?.isTTY === true;
  let lastLine = 0;
  let lastWidth = 0;
  for (;;) {
    o.signal?.throwIfAborted();
    const c = await countRequests(pool);
    const seconds = (Date.now() - o.startedAt) / 1000;
    const producing = o.isProducing();
    const finished = !producing && c.done === c.total;
    if (o.sink) {
      // While students are still being enrolled the total is only what has been queued so far.
      const line = producing ? `${formatBar(c, seconds)}  enrolling…` : formatBar(c, seconds);
      if (tty) {
        o.sink.write(`\r${line.padEnd(lastWidth)}${finished ? '\n' : ''}`);
        lastWidth = line.length;
      } else if (finished || (c.total > 0 && Date.now() - lastLine >= 5_000)) {
        o.sink.write(`${line}\n`);
        lastLine = Date.now();
      }
    }
    if (finished) return c;
    if (Date.now() - o.startedAt > o.timeoutMs) {
      if (tty) o.sink?.write('\n');
      throw new Error(
        `demo: requests still open after ${Math.round(o.timeoutMs / 1000)} s: ${JSON.stringify(c.byStatus)}`,
      );
    }
    await sleep(o.intervalMs ?? 200);
  }
}
