/**
 * The queue store of one process (QUEUE_BACKEND): every Queue and Worker is made through a
 * QueueConnection, so roles, sweeps and the dashboard run unchanged on Redis or Postgres; the support
 * pages read queues through a QueueReader made here.
 */
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { JobType, Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import type { QueueBackendKind } from './catalogue.ts';

/**
 * Reports a connection problem at most once per interval, so an outage is one clear log line a minute
 * instead of a stack trace per reconnection attempt.
 */
export function createThrottledWarning(warn: (e: Error) => void, intervalMs = 60_000): (e: Error) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    warn(e);
  };
}

/** A queue's jobs as support pages count them. */
export interface QueueCounts {
  /** Waiting, prioritized (request jobs carry priorities) and waiting for children. */
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** A queue's state as the support pages show it: its counts, whether it is paused, and how long work has waited. */
export interface QueueState extends QueueCounts {
  /** Whether the queue is paused (its workers fetch nothing; its waiting jobs are still counted as waiting). */
  isPaused: boolean;
  /** When the longest-waiting job was added (ms since the epoch), or null when nothing waits. */
  oldestWaitingAt: number | null;
}

/**
 * A paused queue's waiting jobs: BullMQ 6's Postgres backend counts and lists them as `paused` (not a
 * JobType in its types, but a state its queries answer), and Redis as `waiting`; asking for both counts
 * them once on either backend.
 */
const PAUSED = 'paused' as JobType;

/** Request priorities run from 1 (most urgent) to 100 (lrs.submit_request); 0 is a job without one. */
const PRIORITIES = Array.from({ length: 101 }, (_, p) => p);

/**
 * When the longest-waiting job of a queue was added. Jobs without a priority wait in arrival order, and
 * prioritized ones by priority, then arrival: the oldest is the head of one priority level, so this reads
 * the head of each level present (a few reads, however long the queue), on either backend.
 */
async function findOldestWaitingAt(queue: Queue): Promise<number | null> {
  const perPriority = await queue.getCountsPerPriority(PRIORITIES);
  const heads: Promise<{ timestamp: number }[]>[] = [queue.getJobs(['waiting', PAUSED], 0, 0, true)];
  let offset = 0;
  for (const p of PRIORITIES.slice(1)) {
    const n = perPriority[p] ?? 0;
    if (n === 0) continue;
    heads.push(queue.getJobs(['prioritized'], offset, offset, true));
    offset += n;
  }
  const stamps = (await Promise.all(heads)).flat().map((j) => j.timestamp);
  return stamps.length === 0 ? null : Math.min(...stamps);
}

/**
 * A queue as the support pages read it: its name, its job counts and bull-board's adapter of it. Made
 * here over BullMQ's Queue, so src/support never speaks the queue library's API.
 */
export interface QueueReader {
  readonly name: string;
  counts(): Promise<QueueCounts>;
  /** Counts, paused or not, and the oldest waiting job's age, for the queues page. */
  state(): Promise<QueueState>;
  /**
   * bull-board's view of the queue; with readOnlyMode nobody can retry, promote or remove its jobs.
   * displayName and description are shown instead of the bare name (as text).
   */
  boardAdapter(o: { readOnlyMode: boolean; displayName?: string; description?: string }): BullMQAdapter;
  close(): Promise<void>;
}

/** The support pages' reader of a queue (closing it closes the queue). */
export function readQueue(queue: Queue): QueueReader {
  return {
    name: queue.name,
    async counts() {
      const c = await queue.getJobCounts(
        'waiting',
        'prioritized',
        'waiting-children',
        'active',
        'delayed',
        'failed',
      );
      return {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
      };
    },
    async state() {
      const [c, isPaused, oldestWaitingAt] = await Promise.all([
        queue.getJobCounts(
          'waiting',
          PAUSED,
          'prioritized',
          'waiting-children',
          'active',
          'delayed',
          'failed',
        ),
        queue.isPaused(),
        findOldestWaitingAt(queue),
      ]);
      return {
        // A paused queue's waiting jobs are counted as paused; they still wait.
        waiting: (c.waiting ?? 0) + (c[PAUSED] ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
        isPaused,
        oldestWaitingAt,
      };
    },
    boardAdapter: ({ readOnlyMode, ...names }) =>
      new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode, ...names }),
    close: () => queue.close(),
  };
}

/** Worker options without the store-specific parts (connection, key prefix), which the connection adds. */
export type QueueWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

/**
 * The queue store of one process. Every Queue and Worker is made here, so roles, sweeps and the
 * dashboard run unchanged on either backend.
 */
export interface QueueConnection {
  readonly backend: QueueBackendKind;
  /** Where the queues are, for messages: a URL without its password, or a schema name. */
  readonly where: string;
  /** A new Queue on this store (the caller closes it). Errors go to the connection's onError. */
  createQueue(name: string): Queue;
  /** A new reader of one queue for the support pages (the caller closes it). */
  createQueueReader(name: string): QueueReader;
  /** A new Worker on this store (the caller closes it). */
  createWorker(name: string, processor: Processor, options: QueueWorkerOptions): Worker;
  /** Resolves when the store answers (and, for Postgres, its schema is migrated); rejects otherwise. */
  ping(): Promise<void>;
  /** Deletes every job of this store's queues (end of a demo or benchmark run); returns how many rows or keys. */
  deleteAll(): Promise<number>;
  /** Closes the connections this object opened (not the queues and workers made from it). */
  close(): Promise<void>;
}

export interface QueueConnectionOptions {
  config: {
    QUEUE_BACKEND: QueueBackendKind;
    REDIS_URL: string;
    REDIS_CLUSTER_NODES?: readonly { host: string; port: number }[] | undefined;
    QUEUE_PREFIX: string;
    DATABASE_URL: string;
    QUEUE_SCHEMA: string;
    DATABASE_STATEMENT_TIMEOUT_MS: number;
  };
  /** Tag on connection names (Redis CLIENT LIST, Postgres application_name); tests find leaks by it. */
  tag: string;
  /** Connection problems (reconnection attempts included); default: ignored. */
  onError?: (e: Error) => void;
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
