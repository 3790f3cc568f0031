/**
 * The scheduler role: creates the repeating jobs (idempotently: several processes starting at once
 * create one schedule each, keyed by scheduler id) and runs them on the `scheduler` queue.
 */
import type { Queue, Worker } from 'bullmq';
import type { Logger } from '../log.ts';
import { QUEUES, workerName, type JobName, type ScheduledJob } from '../queues/catalogue.ts';
import type { QueueConnection } from '../queues/connection.ts';

export type { ScheduledJob };

export interface SchedulerOptions {
  /** The queue store the schedules and their worker live on. */
  queues: QueueConnection;
  log: Logger;
  jobs: ScheduledJob[];
  /**
   * How often the schedules are upserted again, ms: if the queue store lost them (flushed, failed over without
   * persistence), the sweeps that repair everything else come back by themselves. Default 60 s.
   */
  resyncIntervalMs?: number;
}

export class Scheduler {
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private resync: NodeJS.Timeout | undefined;

  constructor(private readonly o: SchedulerOptions) {}

  async start(): Promise<void> {
    this.queue = this.o.queues.createQueue(QUEUES.scheduler);
    await this.upsertAll();
    this.resync = setInterval(() => {
      this.upsertAll().catch((e: unknown) => this.o.log.warn({ err: e }, 'could not refresh job schedules'));
    }, this.o.resyncIntervalMs ?? 60_000);
    this.resync.unref();
    const byName = new Map(this.o.jobs.map((j) => [j.name, j]));
    this.worker = this.o.queues.createWorker(
      QUEUES.scheduler,
      async (job) => {
        const j = byName.get(job.name as JobName);
        if (!j) throw new Error(`no handler for scheduled job ${job.name}`);
        return j.run(job);
      },
      // One at a time: sweeps must not overlap themselves.
      { concurrency: 1, name: workerName('scheduler') },
    );
    this.worker.on('failed', (job, e) =>
      this.o.log.error({ err: e, job: job?.name }, 'scheduled job failed'),
    );
    this.worker.on('error', (e) => this.o.log.error({ err: e }, 'scheduler worker error'));
  }

  private async upsertAll(): Promise<void> {
    for (const j of this.o.jobs) {
      await this.queue?.upsertJobScheduler(j.id, j.repeat, {
        name: j.name,
        data: j.data ?? {},
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      });
    }
  }

  async close(): Promise<void> {
    if (this.resync) clearInterval(this.resync);
    await this.worker?.close();
    await this.queue?.close();
  }
}
