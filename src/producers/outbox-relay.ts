/**
 * The outbox relay: moves pending single-call requests from Postgres to their organisation's BullMQ
 * queue. It listens for `lrs_request` notifications and also polls, because notifications sent while
 * it was disconnected are lost. Rows are claimed with FOR UPDATE SKIP LOCKED (several relays can run),
 * enqueued with jobId = request id, then marked queued in the same transaction: a crash in between
 * leaves them pending, and the next enqueue of the same job id is ignored by BullMQ.
 */
import pg from 'pg';
import type { Queue } from 'bullmq';
import type { Logger } from '../log.ts';
import { JOBS, JOB_DATA, REQUEST_JOB_OPTIONS, requestJobId } from '../queues.ts';
import { inTransaction } from '../requests/store.ts';
import { maxAttempts, type RetryPolicy } from '../codes/retry-policy.ts';

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

interface ClaimedRow {
  id: number;
  organisationId: number;
  priority: number;
}

/** Pending single-mode rows, most urgent first (walks request_claim_single_idx). Achievements are batch-only. */
const CLAIM_SINGLE_SQL = `
  select id, organisation_id as "organisationId", priority
    from lrs.request
   where status = 'pending' and mode = 'single' and kind <> 'achievement'
     and (not_before is null or not_before <= now())
   order by priority, id
   limit $1
   for update skip locked`;

/** Kinds the batch assembler can take in `auto` mode; every other kind always goes as single calls. */
const BATCHABLE_KINDS = ['register', 'verify'];

/**
 * The (organisation, kind) groups whose pending `auto` requests go as single calls: kinds that have no
 * batch operation, and batchable kinds while the group's backlog is at most the threshold (counted up to
 * threshold + 1 only, so a deep backlog costs no more than a shallow one).
 */
const AUTO_GROUPS_SQL = `
  select o.id as "organisationId", k.kind
    from lrs.organisation o
   cross join unnest(array['find_by_uln', 'find_by_demographics', 'register', 'update', 'verify', 'learning_events']) as k(kind)
   where exists (select 1 from lrs.request r
                  where r.status = 'pending' and r.mode = 'auto' and r.organisation_id = o.id and r.kind = k.kind)
     and (k.kind <> all($2::text[])
          or (select count(*) from (select 1 from lrs.request r
                                     where r.status = 'pending' and r.mode = 'auto' and r.organisation_id = o.id and r.kind = k.kind
                                     limit $1 + 1) backlog) <= $1)`;

/** Pending auto rows of the given groups (walks request_claim_auto_idx per group). */
const CLAIM_AUTO_SQL = `
  select r.id, r.organisation_id as "organisationId", r.priority
    from unnest($2::int[], $3::text[]) as g(organisation_id, kind)
   cross join lateral (
     select id, organisation_id, priority from lrs.request
      where status = 'pending' and mode = 'auto' and organisation_id = g.organisation_id and kind = g.kind
        and (not_before is null or not_before <= now())
      order by priority, id
      limit $1
      for update skip locked) r
   limit $1`;

export class OutboxRelay {
  private listener: pg.Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly attempts: number;

  constructor(private readonly o: OutboxRelayOptions) {
    this.attempts = maxAttempts(o.policy);
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
      await client.query('listen lrs_request');
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
      const rows = (await client.query({ name: 'lrs-claim-single', text: CLAIM_SINGLE_SQL, values: [limit] }))
        .rows as ClaimedRow[];
      const groupsQuery = {
        name: 'lrs-claim-auto-groups',
        text: AUTO_GROUPS_SQL,
        values: [this.o.autoBatchThreshold, BATCHABLE_KINDS],
      };
      const groups = (await client.query(groupsQuery)).rows as {
        organisationId: number;
        kind: string;
      }[];
      if (groups.length > 0) {
        const auto = await client.query(CLAIM_AUTO_SQL, [
          limit,
          groups.map((g) => g.organisationId),
          groups.map((g) => g.kind),
        ]);
        rows.push(...(auto.rows as ClaimedRow[]));
      }
      if (rows.length === 0) return 0;
      const byOrg = new Map<number, ClaimedRow[]>();
      for (const row of rows) byOrg.set(row.organisationId, [...(byOrg.get(row.organisationId) ?? []), row]);
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
      await client.query(
        `update lrs.request set status = 'queued', queued_at = now(), updated_at = now() where id = any($1::bigint[])`,
        [rows.map((r) => r.id)],
      );
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
