/**
 * The outbox relay: moves pending single-call requests from Postgres to their organisation's BullMQ
 * queue. It listens for `lrs_request` notifications and also polls, because notifications sent while
 * it was disconnected are lost. Rows are claimed with FOR UPDATE SKIP LOCKED (several relays can run)
 * and marked queued in one statement, then enqueued with jobId = request id, and only then committed:
 * a crash in between leaves them pending, and the next enqueue of the same job id is ignored by BullMQ.
 */
import pg from 'pg';
import type { Queue } from 'bullmq';
import type { Logger } from '../log.ts';
import { JOBS, JOB_DATA, REQUEST_JOB_OPTIONS, requestJobId } from '../queues/catalogue.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  claimAutoRequests,
  claimSingleRequests,
  findSingleCallAutoGroups,
  listenForOutboxWakeUps,
  type ClaimedRequest,
} from '../db/outbox.ts';
import { jobAttemptsBound, type RetryPolicy } from '../codes/retry-policy.ts';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** Connection string for the dedicated LISTEN connection. */
  databaseUrl: string;
  /** The single-call queue of an organisation. */
  queueFor(organisationId: number): Queue;
  log: Logger;
  policy: RetryPolicy;
  /** Poll interval, ms. */
  pollIntervalMs: number;
  /** Rows claimed per transaction (default 500). */
  chunkSize?: number;
  /** Pending auto-mode requests of one organisation and kind above which they are left for the batch assembler. */
  autoBatchThreshold: number;
}

export class OutboxRelay {
  private listener: pg.Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly attempts: number;

  constructor(private readonly o: OutboxRelayOptions) {
    // A safety bound only: the retry decision reads lrs.request.attempts (jobAttemptsBound).
    this.attempts = jobAttemptsBound(o.policy);
  }

  async start(): Promise<void> {
    await this.listen();
    this.pollTimer = setInterval(() => this.kick(), this.o.pollIntervalMs);
    this.kick();
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.o.databaseUrl,
      application_name: 'lrs-relay outbox listener',
    });
    client.on('notification', () => this.kick());
    client.on('error', (e) => {
      this.o.log.warn({ err: e }, 'outbox listener lost its connection; polling until it is back');
      this.listener = undefined;
      client.end().catch(() => {});
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await listenForOutboxWakeUps(client);
      this.listener = client;
      this.kick();
    } catch (e) {
      this.o.log.warn({ err: e }, 'outbox listener could not connect; polling meanwhile');
      await client.end().catch(() => {});
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.listen();
    }, 2_000);
  }

  /** Asks for a drain; coalesces bursts of notifications into one running drain plus at most one more. */
  kick(): void {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drainLoop(): Promise<void> {
    try {
      await this.drain();
    } catch (e) {
      this.o.log.error({ err: e }, 'outbox drain failed; rows stay pending and are retried on the next poll');
    }
  }

  /** Enqueues every claimable pending row, chunk by chunk. Returns how many were enqueued. */
  async drain(): Promise<number> {
    const chunk = this.o.chunkSize ?? 500;
    let total = 0;
    for (;;) {
      const n = await this.claimChunk(chunk);
      total += n;
      if (n < chunk || this.closed) return total;
    }
  }

  private async claimChunk(limit: number): Promise<number> {
    // One transaction holds the row locks while the jobs are added, so no other relay enqueues them too.
    return inTransaction(this.o.pool, async (client) => {
      const rows = await claimSingleRequests(client, limit);
      const groups = await findSingleCallAutoGroups(client, this.o.autoBatchThreshold);
      if (groups.length > 0) rows.push(...(await claimAutoRequests(client, limit, groups)));
      if (rows.length === 0) return 0;
      const byOrg = new Map<number, ClaimedRequest[]>();
      for (const row of rows) {
        const orgRows = byOrg.get(row.organisationId);
        if (orgRows) orgRows.push(row);
        else byOrg.set(row.organisationId, [row]);
      }
      for (const [orgId, orgRows] of byOrg) {
        await this.o.queueFor(orgId).addBulk(
          orgRows.map((row) => ({
            name: JOBS.request,
            data: JOB_DATA[JOBS.request].parse({ requestId: row.id }),
            opts: {
              ...REQUEST_JOB_OPTIONS,
              jobId: requestJobId(row.id),
              priority: row.priority,
              attempts: this.attempts,
              backoff: { type: 'lrs' },
            },
          })),
        );
      }
      return rows.length;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.draining;
    await this.listener?.end().catch(() => {});
    this.listener = undefined;
  }
}
