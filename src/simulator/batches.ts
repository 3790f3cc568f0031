/**
 * Batch jobs (registration, verify, achievements): ids that only go up, a state derived from the clock
 * (submitted → in progress → done), and output kept only until fetched + a retention time so that a
 * million-learner night (thousands of jobs) keeps memory flat. No timers: state is computed when asked.
 */
import type { SimContext } from './context.ts';

export type BatchKind = 'registration' | 'verify' | 'achievement';
export type BatchState = 'submitted' | 'inProgress' | 'done' | 'failed';

export interface BatchTiming {
  /** Time from submission until the job is in progress, ms. */
  inProgressAfterMs: number;
  /** Time from submission until the job is done, ms (0 with inProgressAfterMs 0 = instant). */
  doneAfterMs: number;
}

export interface BatchRetention {
  /** How long output stays fetchable after the first poll that returned it, ms. */
  afterFetchMs: number;
  /** How long finished output nobody fetched is kept, ms. */
  unfetchedMs: number;
}

export interface BatchJob {
  readonly id: number;
  readonly kind: BatchKind;
  readonly orgId: string;
  readonly submittedAt: number;
  readonly startAt: number;
  readonly doneAt: number;
  /** Every record was rejected: the job ends failed (WSRC0010 / Failed). */
  readonly failed: boolean;
  readonly records: number;
  /** The finished output, already rendered (body of the poll response after the status fields). */
  readonly output: string;
  fetchedAt?: number;
}

export class BatchBook {
  private readonly jobs = new Map<number, BatchJob>();
  private lastSweep = 0;
  expired = 0;

  constructor(
    private readonly timing: BatchTiming,
    private readonly retention: BatchRetention,
    /** Survives reset() so a job id is never reused by one instance. */
    private readonly ids: { next: number } = { next: 100_001 },
  ) {}

  create(job: Omit<BatchJob, 'id' | 'startAt' | 'doneAt'>, now: number): BatchJob {
    this.sweep(now);
    const full: BatchJob = {
      ...job,
      id: this.ids.next++,
      startAt: now + this.timing.inProgressAfterMs,
      doneAt: now + Math.max(this.timing.doneAfterMs, this.timing.inProgressAfterMs),
    };
    this.jobs.set(full.id, full);
    return full;
  }

  /** The job if it exists, belongs to `orgId` and is of `kind` (anything else is an unknown job to the caller). */
  find(id: number, kind: BatchKind, orgId: string, now: number): BatchJob | undefined {
    this.sweep(now);
    const job = this.jobs.get(id);
    return job && job.kind === kind && job.orgId === orgId ? job : undefined;
  }

  stateOf(job: BatchJob, now: number): BatchState {
    if (now < job.startAt) return 'submitted';
    if (now < job.doneAt) return 'inProgress';
    return job.failed ? 'failed' : 'done';
  }

  /** Marks output as delivered; retention counts from the first delivery. */
  markFetched(job: BatchJob, now: number): void {
    job.fetchedAt ??= now;
  }

  counts(now: number): Record<BatchState | 'expired', number> {
    const c = { submitted: 0, inProgress: 0, done: 0, failed: 0, expired: this.expired };
    for (const job of this.jobs.values()) c[this.stateOf(job, now)]++;
    return c;
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Drops delivered and abandoned output; at most once a second, so polling stays cheap. */
  sweep(now: number, force = false): void {
    if (!force && now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [id, job] of this.jobs) {
      const gone =
        job.fetchedAt !== undefined
          ? now - job.fetchedAt >= this.retention.afterFetchMs
          : now >= job.doneAt && now - job.doneAt >= this.retention.unfetchedMs;
      if (gone) {
        this.jobs.delete(id);
        this.expired++;
      }
    }
  }
}

/**
 * The job a poll (`operation`) sees and its state, after the injected batch-job faults: lostBatchJobs
 * → no job (the caller answers WSRC0018); stuckBatchJobs → a finished job still reads as in progress.
 */
export function jobForPoll(
  ctx: SimContext,
  operation: string,
  id: number,
  kind: BatchKind,
  orgId: string,
  now: number,
): { job: BatchJob; state: BatchState } | undefined {
  const fault = ctx.batchJobFault(operation);
  if (fault === 'lost') {
    ctx.stats.injected.lostBatchJobs++;
    return undefined;
  }
  const job = ctx.batches.find(id, kind, orgId, now);
  if (!job) return undefined;
  const state = ctx.batches.stateOf(job, now);
  if (fault === 'stuck' && (state === 'done' || state === 'failed')) {
    ctx.stats.injected.stuckBatchJobs++;
    return { job, state: 'inProgress' };
  }
  return { job, state };
}
