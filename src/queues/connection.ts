/**
 * The queue store of one process (QUEUE_BACKEND): every Queue and Worker is made through a
 * QueueConnection, so roles, sweeps and the dashboard run unchanged on Redis or Postgres; the support
 * pages read queues through a QueueReader made here.
 */
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Processor, Queue, Worker, WorkerOptions } from 'bullmq';
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

/**
 * A queue as the support pages read it: its name, its job counts and bull-board's adapter of it. Made
 * here over BullMQ's Queue, so src/support never speaks the queue library's API.
 */
export interface QueueReader {
  readonly name: string;
  counts(): Promise<QueueCounts>;
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
