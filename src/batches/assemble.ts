/**
 * The batch assembler: per organisation and kind, claims pending batch work in Postgres
 * (FOR UPDATE SKIP LOCKED, so several processes can assemble at once) and makes batches of up to the
 * kind's limit — full ones at once, a partial one when its oldest request has waited BATCH_WINDOW_MS.
 * Claimed = mode batch, achievements (batch-only), or mode auto while the organisation's pending auto
 * backlog of that kind is above AUTO_BATCH_THRESHOLD (below it the outbox relay sends them singly).
 * In one transaction: the lrs.batch row, its requests marked batched, bad records settled rejected.
 * Then the submit job is enqueued; if that enqueue is lost, the batch sweep re-creates it.
 */
import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { batchJobId, JOB_DATA, JOBS, type JobQueue } from '../queues/catalogue.ts';
import { batchKindFor } from './kinds.ts';
import { BATCHABLE_KINDS, type BatchableKind } from '../db/kinds.ts';
import {
  achievementCaps,
  claimForBatch,
  findBatchGroups,
  type BatchGroup,
  type ClaimCursor,
} from '../db/batch-assembly.ts';
import { checkVerification, holdForVerification, notVerified, reviewHeld } from './gate.ts';
import { countOutcomes } from './rules.ts';
import { insertBatch, settleRequests, type SettledRequest, type Settlement } from '../db/batches.ts';
import { inTransaction } from '../db/transaction.ts';
import { resolutionFor } from '../requests/resolve.ts';

export interface BatchAssemblerOptions {
  pool: pg.Pool;
  queue: JobQueue;
  log: Logger;
  /**
   * Requests settled here (rejected records, NOT_VERIFIED) count in the request-outcome metric, after
   * commit; assembly time counts in lrs_relay_batch_stage_seconds (assemble_find, assemble_claim).
   */
  metrics: Metrics;
  /** Records per batch by kind. */
  limits: Record<BatchableKind, number>;
  /** Longest the oldest request waits before a partial batch is made, ms. */
  windowMs: number;
  autoBatchThreshold: number;
  intervalMs: number;
  /** Options for submit jobs (attempts, backoff). */
  submitJobOptions: { attempts: number };
  fanOutChunk: number;
}

/** Claim cursors are dropped (and the groups looked at from their first pending request) at most this often. */
const CURSOR_RESET_MIN_MS = 30_000;

export class BatchAssembler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /**
   * Per organisation+kind, the highest id claimed into a batch. Claimed rows leave dead entries at the
   * front of the pending index until vacuum (and a year-old table is not vacuumed during the night);
   * looking for work and claiming after them keeps a pass cheap however deep the night's backlog and
   * however many requests it has already batched. Requests that become pending again behind a cursor
   * (a batch refused as too many; an insert that committed after a later one was claimed) are found
   * when the cursors are dropped, every BATCH_WINDOW_MS but at most every CURSOR_RESET_MIN_MS: each drop
   * costs one walk over the entries claimed since the last vacuum. Released held achievements drop the
   * achievement cursors at once.
   */
  private readonly claimedUpTo = new Map<string, ClaimCursor>();
  private cursorsSince = Date.now();
  /** The achievement caps seen by the last pass, by organisation. */
  private knownCaps = new Map<number, number>();

  constructor(private readonly o: BatchAssemblerOptions) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.o.intervalMs);
    this.kick();
  }

  /** Asks for an assembly pass; bursts collapse into one running pass plus at most one more. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.assemble()
      .then(() => undefined)
      .catch((e: unknown) =>
        this.o.log.error({ err: e }, 'batch assembly failed; pending requests wait for the next pass'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One pass: review held achievements, then make every batch that is due. Returns batches made. */
  async assemble(): Promise<number> {
    if (Date.now() - this.cursorsSince >= Math.max(this.o.windowMs, CURSOR_RESET_MIN_MS)) {
      this.claimedUpTo.clear();
      this.cursorsSince = Date.now();
    }
    const stage = this.o.metrics.batchStageSeconds;
    const endFind = stage.startTimer({ stage: 'assemble_find' });
    await this.reviewHeldAchievements();
    const caps = await this.achievementCaps();
    const groups = await findBatchGroups(this.o.pool, {
      autoThreshold: this.o.autoBatchThreshold,
      cursors: [...this.claimedUpTo.values()],
    });
    endFind();
    // Round-robin: one batch per group in turn, so the submit queue (first in, first out) takes every
    // organisation's batches interleaved and no organisation waits behind another's whole backlog.
    let due: { g: BatchGroup; limit: number; auto: boolean }[] = [];
    for (const g of groups) {
      // The LRS refused a batch of this organisation's achievements as too many (WSEC0046): never as many again.
      const cap = batchKindFor(g.kind).splitsWhenTooMany ? caps.get(g.organisationId) : undefined;
      due.push({
        g,
        limit: Math.min(this.o.limits[g.kind], cap ?? Infinity),
        auto: g.autoCount > this.o.autoBatchThreshold,
      });
    }
    let made = 0;
    // Full batches while the claims come back full; a short claim is the group's last, and becomes a
    // partial batch only once its oldest request has waited the window (else nothing is kept).
    while (due.length > 0 && !this.closed) {
      const again: typeof due = [];
      for (const d of due) {
        if (this.closed) break;
        const endClaim = stage.startTimer({ stage: 'assemble_claim' });
        const claimed = await this.claimBatch(d.g, d.limit, d.auto);
        endClaim();
        if (claimed.batchId !== undefined) made++;
        if (claimed.rows >= d.limit) again.push(d);
      }
      due = again;
    }
    return made;
  }

  /**
   * The achievement caps the LRS's WSEC0046 refusals set. A new refusal put its batch's requests back to
   * pending behind this organisation's achievement cursor: dropping the cursor lets this pass find them,
   * instead of leaving them until the cursors are next dropped.
   */
  private async achievementCaps(): Promise<Map<number, number>> {
    const caps = await achievementCaps(this.o.pool);
    for (const [org, cap] of caps)
      if (this.knownCaps.get(org) !== cap)
        for (const kind of BATCHABLE_KINDS)
          if (batchKindFor(kind).splitsWhenTooMany) this.claimedUpTo.delete(`${org}:${kind}`);
    this.knownCaps = caps;
    return caps;
  }

  private async reviewHeldAchievements(): Promise<void> {
    const changed: SettledRequest[] = [];
    await inTransaction(this.o.pool, async (c) => {
      const { released, settle } = await reviewHeld(c, 5_000);
      if (settle.length > 0)
        await settleRequests(c, settle, {
          batchId: null,
          chunkSize: this.o.fanOutChunk,
          onChanged: (done) => changed.push(...done),
        });
      if (released + settle.length > 0)
        this.o.log.info({ released, notVerified: settle.length }, 'held achievements reviewed');
      // Released ones are pending again, behind the achievement cursors.
      if (released > 0)
        for (const [k, c] of this.claimedUpTo)
          if (batchKindFor(c.kind).verifiedFirst) this.claimedUpTo.delete(k);
    });
    countOutcomes(this.o.metrics)(changed);
  }

  /** Claims up to `limit` requests of one group and makes one batch of the good ones. */
  private async claimBatch(
    g: BatchGroup,
    limit: number,
    auto: boolean,
  ): Promise<{ rows: number; batchId?: number }> {
    const changed: SettledRequest[] = [];
    const key = `${g.organisationId}:${g.kind}`;
    const spec = batchKindFor(g.kind);
    const result = await inTransaction(this.o.pool, async (c) => {
      const afterId = this.claimedUpTo.get(key)?.afterId ?? 0;
      const rows = await claimForBatch(c, g, { auto, limit, afterId });
      if (rows.length === 0) return { rows: 0 };
      // Oldest first: a short claim holds every claimable request of the group, so its oldest says whether
      // the window has passed. Not yet: nothing is written, and the commit lets them go.
      if (rows.length < limit && Math.max(...rows.map((r) => r.waitedMs)) < this.o.windowMs)
        return { rows: rows.length };
      const lastId = Number(rows.at(-1)?.id ?? afterId);
      let candidates = rows.map((r) => ({
        id: Number(r.id),
        requestedBy: r.requestedBy,
        payload: r.payload,
        createdAt: r.createdAt,
      }));
      const settle: Settlement[] = [];
      if (spec.verifiedFirst) {
        const decisions = await checkVerification(
          c,
          candidates.map((r) => r.id),
        );
        const create: number[] = [];
        const hold: number[] = [];
        for (const [id, d] of decisions) {
          if (d.decision === 'create_verify') create.push(id);
          else if (d.decision === 'hold') hold.push(id);
          else if (d.decision === 'not_verified') settle.push(notVerified(id, d.code));
        }
        await holdForVerification(c, create, hold);
        candidates = candidates.filter((r) => decisions.get(r.id)?.decision === 'verified');
      }
      const good: number[] = [];
      const users = new Set<string>();
      for (const r of candidates) {
        const built = spec.buildRecord(r.id, r.payload, {
          providerUkprn: g.ukprn,
          requestedAt: r.createdAt,
        });
        if (built.ok) {
          good.push(r.id);
          users.add(r.requestedBy);
          continue;
        }
        const code = built.code;
        settle.push({
          requestId: r.id,
          resolution: resolutionFor(code, 'relay', {
            status: 'rejected',
            problems: built.problems,
            description: `Not sent: ${built.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
          }),
        });
      }
      if (settle.length > 0)
        await settleRequests(c, settle, {
          batchId: null,
          chunkSize: this.o.fanOutChunk,
          onChanged: (done) => changed.push(...done),
        });
      if (good.length === 0) return { rows: rows.length, lastId };
      // One UserName per batch: the requesters' own when they are one person, else the organisation's unattended name.
      const requestedBy = users.size === 1 ? ([...users][0] ?? g.defaultUserName) : g.defaultUserName;
      const batchId = await insertBatch(c, {
        organisationId: g.organisationId,
        kind: spec.kind,
        jobType: spec.jobType,
        requestedBy,
        requestIds: good,
      });
      return { rows: rows.length, lastId, batchId };
    });
    if (result.lastId !== undefined)
      this.claimedUpTo.set(key, { organisationId: g.organisationId, kind: g.kind, afterId: result.lastId });
    countOutcomes(this.o.metrics)(changed);
    if (result.batchId !== undefined) {
      await enqueueSubmit(this.o.queue, result.batchId, this.o.submitJobOptions.attempts);
      this.o.log.info(
        { batchId: result.batchId, organisation: g.organisationId, kind: g.kind, claimed: result.rows },
        'batch assembled',
      );
    }
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

/** Enqueues a batch's submit job (idempotent: one job id per batch). */
export async function enqueueSubmit(queue: JobQueue, batchId: number, attempts: number): Promise<void> {
  await queue.add(JOBS.batchSubmit, JOB_DATA[JOBS.batchSubmit].parse({ batchId }), {
    jobId: batchJobId('submit', batchId),
    attempts,
    backoff: { type: 'lrs' },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}

/** Enqueues a batch's poll job after `delayMs` (idempotent: one job id per batch). */
export async function enqueuePoll(queue: JobQueue, batchId: number, delayMs: number): Promise<void> {
  await queue.add(JOBS.batchPoll, JOB_DATA[JOBS.batchPoll].parse({ batchId }), {
    jobId: batchJobId('poll', batchId),
    delay: Math.max(0, delayMs),
    attempts: 1,
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
