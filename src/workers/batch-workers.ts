/**
 * The batch role of a worker process: the assembler loop and one BullMQ Worker on the `batch` queue
 * running submit and poll jobs. Submit retries use the same backoff table as single calls; polls
 * re-delay themselves and never use attempts; the LRS in maintenance pauses the queue for both, as for
 * single calls (decideNextStep, src/codes/next-step.ts).
 */
import { setMaxListeners } from 'node:events';
import type { Job, Queue, Worker } from 'bullmq';
import { JOBS, QUEUES, workerName } from '../queues/catalogue.ts';
import type { QueueConnection } from '../queues/connection.ts';
import { BatchAssembler, type BatchAssemblerOptions } from '../batches/assemble.ts';
import { runPollJob } from '../batches/poll.ts';
import type { BatchJobDeps } from '../batches/rules.ts';
import { runSubmitJob } from '../batches/submit.ts';
import { jobAttemptsBound } from '../codes/retry-policy.ts';
import { RetryableJobError } from '../requests/job-steps.ts';
import { backoffStrategy, carryOutSteps, PAUSE_ONLY_LIMITER } from './job-steps.ts';

export interface BatchWorkersOptions extends BatchJobDeps {
  /** The queue store the batch worker runs on. */
  queues: QueueConnection;
  queue: Queue;
  concurrency: number;
  lockDurationMs: number;
  assembler: Omit<
    BatchAssemblerOptions,
    'pool' | 'queue' | 'log' | 'metrics' | 'submitJobOptions' | 'fanOutChunk'
  >;
}

export class BatchWorkers {
  private worker: Worker | undefined;
  private assembler: BatchAssembler | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly o: BatchWorkersOptions) {
    // Every running batch job's LRS call listens on this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  start(): void {
    const o = this.o;
    const worker: Worker = o.queues.createWorker(
      QUEUES.batch,
      async (job: Job, token?: string) =>
        carryOutSteps(worker, job, token, async () => {
          const stage =
            job.name === JOBS.batchSubmit ? 'submit' : job.name === JOBS.batchPoll ? 'poll' : undefined;
          if (stage === undefined) throw new Error(`no handler for batch job ${job.name}`);
          // Whole jobs, LRS calls included (those are also timed alone: submit_call, poll_call).
          const end = o.metrics.batchStageSeconds.startTimer({ stage });
          try {
            return await (stage === 'submit'
              ? runSubmitJob(o, job, this.abort.signal)
              : runPollJob(o, job, this.abort.signal));
          } finally {
            end();
          }
        }),
      {
        concurrency: o.concurrency,
        // The LRS in maintenance pauses the batch queue (submits and polls) in every process.
        limiter: PAUSE_ONLY_LIMITER,
        name: workerName('batch'),
        lockDuration: o.lockDurationMs,
        stalledInterval: o.lockDurationMs,
        // A submit job whose worker died is run again and finds its batch `submitting`: the in-doubt rule applies.
        maxStalledCount: 2,
        settings: { backoffStrategy: backoffStrategy(o.policy) },
      },
    );
    this.worker = worker;
    this.worker.on('error', (e) => o.log.error({ err: e }, 'batch worker error'));
    this.worker.on('failed', (job, e) => {
      if (job && !(e instanceof RetryableJobError))
        o.log.warn({ jobId: job.id, err: e }, 'batch job failed; the batch sweep will look at it');
    });
    this.assembler = new BatchAssembler({
      ...o.assembler,
      pool: o.pool,
      queue: o.queue,
      log: o.log,
      metrics: o.metrics,
      // A safety bound only: the submit's retry decision reads its members' lrs.request.attempts.
      submitJobOptions: { attempts: jobAttemptsBound(o.policy) },
      fanOutChunk: o.fanOutChunk,
    });
    this.assembler.start();
  }

  /** Runs an assembly pass now (tests, after a bulk insert). */
  kick(): void {
    this.assembler?.kick();
  }

  /** Stops assembling and taking jobs; running calls are aborted after timeoutMs. */
  async close(timeoutMs: number): Promise<void> {
    await this.assembler?.close();
    const timer = setTimeout(() => this.abort.abort(), timeoutMs);
    try {
      await this.worker?.close();
    } finally {
      clearTimeout(timer);
    }
  }
}
