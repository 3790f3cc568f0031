/**
 * The sample MIS's side of NOTIFY lrs_outcome: LISTEN, and on each burst of notifications call
 * mis.take_ulns_from_lrs() once (db/sample-mis.sql), so students get their ULN in mis.students as soon
 * as the LRS gave it. MIS-owned code in a real installation; the demo runs this one.
 */
import pg from 'pg';

export interface MisUlnListenerOptions {
  databaseUrl: string;
  /** Shown in pg_stat_activity (tests find leaked connections by it). */
  applicationName: string;
  /** Notifications arriving within this long are answered by one call, ms (default 200). */
  coalesceMs?: number;
}

export interface MisUlnTotals {
  /** lrs_outcome notifications heard. */
  notifications: number;
  /** Students whose ULN was written into mis.students. */
  ulnsWritten: number;
}

export class MisUlnListener {
  private readonly client: pg.Client;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private stopped = false;
  private readonly totals: MisUlnTotals = { notifications: 0, ulnsWritten: 0 };

  constructor(private readonly o: MisUlnListenerOptions) {
    this.client = new pg.Client({ connectionString: o.databaseUrl, application_name: o.applicationName });
    // A lost connection surfaces as the failure stop() reports, not as an uncaught 'error' event.
    this.client.on('error', (e) => (this.failure ??= e));
    this.client.on('notification', (n) => {
      if (n.channel !== 'lrs_outcome') return;
      this.totals.notifications++;
      if (this.stopped) return; // stop() makes one last call itself
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.takeUlns();
      }, this.o.coalesceMs ?? 200);
    });
  }

  /** Connects, listens, and takes the ULNs found while nobody listened. */
  async start(): Promise<void> {
    await this.client.connect();
    await this.client.query('listen lrs_outcome');
    this.takeUlns();
    await this.chain;
  }

  private takeUlns(): void {
    this.chain = this.chain.then(async () => {
      try {
        const r = await this.client.query<{ n: number }>('select mis.take_ulns_from_lrs() as n');
        this.totals.ulnsWritten += r.rows[0]?.n ?? 0;
      } catch (e) {
        this.failure ??= e;
      }
    });
  }

  /** Stops listening after one last call (nothing heard is left unanswered) and closes the connection. */
  async stop(): Promise<MisUlnTotals> {
    if (!this.stopped) {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.takeUlns();
      await this.chain;
      await this.client.end().catch(() => {});
    }
    if (this.failure !== undefined) throw this.failure;
    return { ...this.totals };
  }
}
