/**
 * How batch work plugs into a relay process (src/runtime.ts): the worker role gets the assembler and
 * the batch queue's worker (the batch sweep and the nightly ULN acquisition are in src/schedulers/schedule.ts).
 */
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { QueueConnection } from '../queues/connection.ts';
import { BatchWorkers } from './batch-workers.ts';
import { batchLimits } from '../batches/kinds.ts';
import type { RetryPolicy } from '../codes/retry-policy.ts';
import type { OrganisationClients } from '../requests/run.ts';

export interface BatchRoleOptions {
  config: Config;
  pool: pg.Pool;
  clients: OrganisationClients;
  log: Logger;
  /** Batch results count in the request-outcome metric, as single calls do. */
  metrics: Metrics;
  policy: RetryPolicy;
  queue: Queue;
  /** The queue store the batch worker runs on. */
  queues: QueueConnection;
}

/** Starts the assembler and the batch queue's worker. */
export function startBatchWorkers(o: BatchRoleOptions): BatchWorkers {
  const c = o.config;
  const workers = new BatchWorkers({
    pool: o.pool,
    clients: o.clients,
    queue: o.queue,
    log: o.log.child({ role: 'batch' }),
    metrics: o.metrics,
    policy: o.policy,
    pollInitialMs: c.BATCH_POLL_INITIAL_MS,
    pollMaxMs: c.BATCH_POLL_MAX_MS,
    pollGiveUpMs: c.BATCH_POLL_GIVE_UP_MS,
    fanOutChunk: c.BATCH_FANOUT_CHUNK,
    queues: o.queues,
    concurrency: c.BATCH_CONCURRENCY,
    lockDurationMs: c.WORKER_LOCK_DURATION_MS,
    assembler: {
      limits: batchLimits(c),
      windowMs: c.BATCH_WINDOW_MS,
      autoBatchThreshold: c.AUTO_BATCH_THRESHOLD,
      intervalMs: c.BATCH_ASSEMBLE_INTERVAL_MS,
    },
  });
  workers.start();
  return workers;
}
