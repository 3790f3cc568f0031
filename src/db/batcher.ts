/**
 * Groups calls made by concurrent jobs into one database round trip (graphile-worker batches its
 * job completions the same way). Items added while a flush is running wait for the next one, so an
 * idle worker flushes at once and a busy one writes many results per statement. Each caller's promise
 * settles with its own item's result, or with the flush's error.
 */
export interface Batcher<T, R> {
  run(item: T): Promise<R>;
  /** Waits for everything added so far to be flushed. */
  drain(): Promise<void>;
}

export interface BatcherOptions<T, R> {
  /** Writes a batch; returns one result per item, in order. */
  flush(items: T[]): Promise<R[]>;
  /** Largest batch (default 200). */
  maxBatch?: number;
  /**
   * Flushes running at once (default 1: what arrives while one is written waits for it and goes in the
   * next, group-commit style). With 2, the pipeline benchmark's batches were half the size, and each
   * statement's fixed cost made Postgres spend 45 % more CPU per request, for no better latency.
   */
  maxConcurrentFlushes?: number;
}

interface Pending<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export function createBatcher<T, R>(o: BatcherOptions<T, R>): Batcher<T, R> {
  const maxBatch = o.maxBatch ?? 200;
  const maxFlushes = o.maxConcurrentFlushes ?? 1;
  let queue: Pending<T, R>[] = [];
  let running = 0;
  let scheduled = false;
  const idle: (() => void)[] = [];

  function schedule(): void {
    if (scheduled || queue.length === 0 || running >= maxFlushes) return;
    scheduled = true;
    // Let the current turn of the event loop add its items first.
    setImmediate(() => {
      scheduled = false;
      void flushSome();
    });
  }

  async function flushSome(): Promise<void> {
    if (queue.length === 0 || running >= maxFlushes) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    running++;
    try {
      const results = await o.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      running--;
      if (queue.length > 0) schedule();
      else if (running === 0) idle.splice(0).forEach((f) => f());
    }
  }

  return {
    run(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (queue.length === 0 && running === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
