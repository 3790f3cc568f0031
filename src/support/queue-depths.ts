/**
 * The BullMQ queues the dashboard shows: the ones the process passed in, or else the batch and
 * scheduler queues plus one single-call queue per organisation in Postgres (created on first use,
 * closed with the dashboard).
 */
import { QUEUES, singleQueueName } from '../queues/catalogue.ts';
import type { QueueConnection, QueueReader, QueueState } from '../queues/connection.ts';
import type { Actor } from './access.ts';
import type { SupportDb } from '../db/pool.ts';
import { selectOrganisations } from '../db/support-reads.ts';

export interface QueueDepth {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** A queue's state on the queues page. */
export interface QueueStateRow extends QueueState {
  queue: string;
}

export interface QueueSet {
  /** Every queue, in a stable order. */
  list(): Promise<QueueReader[]>;
  /**
   * The organisation each single-call queue serves (`single-<id>` → `10000001 Demo College`), as the
   * last list() found it; the shared batch and scheduler queues have none.
   */
  organisationOf(queueName: string): string | undefined;
  /** Closes the queues this set created (never the connection, never queues passed in). */
  close(): Promise<void>;
}

export function createQueueSet(o: {
  db: SupportDb;
  queueConnection?: QueueConnection | undefined;
  queues?: readonly QueueReader[] | undefined;
}): QueueSet {
  const given = o.queues;
  const created = new Map<string, QueueReader>();
  let organisations = new Map<string, string>();
  return {
    organisationOf: (queueName) => organisations.get(queueName),
    async list() {
      const connection = o.queueConnection;
      if (!given && !connection) return [];
      const rows = (await selectOrganisations(o.db.pool, null)).sort((a, b) => a.id - b.id);
      organisations = new Map(
        rows.map((g) => [singleQueueName(g.id), `${g.ukprn ?? g.organisationRef ?? ''} ${g.name}`.trim()]),
      );
      if (given) return [...given];
      if (!connection) return [];
      const names = [QUEUES.batch, QUEUES.scheduler, ...rows.map((g) => singleQueueName(g.id))];
      return names.map((name) => {
        let q = created.get(name);
        if (!q) {
          q = connection.createQueueReader(name);
          created.set(name, q);
        }
        return q;
      });
    },
    async close() {
      await Promise.all([...created.values()].map((q) => q.close()));
      created.clear();
    },
  };
}

/** Whether the actor may look at a queue: per-organisation queues only for that organisation's staff. */
export function canSeeQueue(actor: Actor, name: string): boolean {
  if (actor.organisationIds === null || !name.startsWith(QUEUES.singlePrefix)) return true;
  return actor.organisationIds.includes(Number(name.slice(QUEUES.singlePrefix.length)));
}

/** Job counts per queue, in the queues' order. */
export async function getQueueDepths(queues: readonly QueueReader[]): Promise<QueueDepth[]> {
  return Promise.all(queues.map(async (q) => ({ queue: q.name, ...(await q.counts()) })));
}

/** Each queue's state (counts, paused, oldest waiting), in the queues' order. */
export async function getQueueStates(queues: readonly QueueReader[]): Promise<QueueStateRow[]> {
  return Promise.all(queues.map(async (q) => ({ queue: q.name, ...(await q.state()) })));
}
