/**
 * Gauges read at scrape time from Postgres (open requests by status/kind/organisation, open exceptions by
 * code, batches by status, certificate expiry per organisation, live processes per role) and BullMQ
 * (job counts per queue). Organisations are labelled by their code (UKPRN or reference). A source that fails sets its
 * lrs_relay_scrape_up gauge to 0 instead of failing the whole scrape, so process metrics still arrive.
 * The queue store's source is `redis`, or `queues` on the Postgres backend (as /readyz names it).
 */
import { Gauge, Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import type { SupportDb } from '../db/pool.ts';
import { selectScrapeFigures } from '../db/scrape-figures.ts';
import { queueStoreKey, type QueueBackendKind } from '../queues/catalogue.ts';
import { registerCertificateExpiryGauge, type CertificateExpiry } from '../orgs/certificates.ts';
import { countByRole, type RoleReport } from '../processes/heartbeat.ts';
import type { Role } from '../config.ts';
import { getQueueDepths, type QueueSet } from './queue-depths.ts';

export interface ScrapeMetrics {
  /** The Prometheus text of the process registry plus these gauges, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createScrapeMetrics(o: {
  db: SupportDb;
  queueSet: QueueSet;
  /** Where the queues live (default redis): names the queue store's lrs_relay_scrape_up source. */
  queueBackend?: QueueBackendKind | undefined;
  metrics: Metrics;
  log: Logger;
  /** The heartbeats (a relay process): lrs_relay_role_processes for each required role and any other that runs. */
  processes?: { required: readonly Role[]; report(): Promise<RoleReport> } | undefined;
}): ScrapeMetrics {
  const queueSource = queueStoreKey(o.queueBackend);
  const registry = new Registry();
  const up = new Gauge({
    name: 'lrs_relay_scrape_up',
    help: '1 when the source answered during this scrape',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const requests = new Gauge({
    name: 'lrs_relay_requests',
    help: 'Open requests in Postgres (not finished) by status, kind and organisation id',
    labelNames: ['status', 'kind', 'organisation'] as const,
    registers: [registry],
  });
  let certificates: CertificateExpiry[] = [];
  registerCertificateExpiryGauge({ registry, listExpiries: () => Promise.resolve(certificates) });
  const roleProcesses = new Gauge({
    name: 'lrs_relay_role_processes',
    help: 'Relay processes of each role seen in the last minute (lrs.process heartbeats); 0 = the role is missing',
    labelNames: ['role'] as const,
    registers: [registry],
  });
  const exceptions = new Gauge({
    name: 'lrs_relay_open_exceptions',
    help: 'Requests needing action or failed, by status and code',
    labelNames: ['status', 'code'] as const,
    registers: [registry],
  });
  const batches = new Gauge({
    name: 'lrs_relay_batches',
    help: 'Batches by kind and status',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
  });
  const queueJobs = new Gauge({
    name: 'lrs_relay_queue_jobs',
    help: 'BullMQ jobs per queue and state (waiting includes prioritized)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  });

  const oldestRequest = new Gauge({
    name: 'lrs_relay_oldest_open_request_seconds',
    help: 'Age of the oldest request in each open status (since its last change), seconds',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const oldestBatch = new Gauge({
    name: 'lrs_relay_oldest_open_batch_seconds',
    help: 'Age of the oldest unfinished batch of each kind (since it was created), seconds',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  async function collectPostgres(): Promise<void> {
    const [f, roles] = await Promise.all([selectScrapeFigures(o.db.pool), o.processes?.report()]);
    const code = new Map(f.organisations.map((x) => [x.id, x.code]));
    requests.reset();
    exceptions.reset();
    batches.reset();
    for (const x of f.openRequests)
      requests.set(
        {
          status: x.status,
          kind: x.kind,
          organisation: code.get(x.organisation_id) ?? String(x.organisation_id),
        },
        x.n,
      );
    // A disabled organisation does no work: its certificate is not watched.
    certificates = f.organisations.flatMap((x) =>
      x.certificateNotAfter && !x.isDisabled
        ? [{ organisation: x.code, notAfter: x.certificateNotAfter }]
        : [],
    );
    if (o.processes && roles) {
      roleProcesses.reset();
      for (const [role, n] of countByRole(roles, o.processes.required)) roleProcesses.set({ role }, n);
    }
    for (const x of f.exceptions) exceptions.set({ status: x.status, code: x.code }, x.n);
    for (const x of f.batches) batches.set({ kind: x.kind, status: x.status }, x.n);
    oldestRequest.reset();
    oldestBatch.reset();
    for (const x of f.oldestRequests) oldestRequest.set({ status: x.status }, x.age);
    for (const x of f.oldestBatches) oldestBatch.set({ kind: x.kind }, x.age);
  }

  async function collectQueues(): Promise<void> {
    const depths = await getQueueDepths(await o.queueSet.list());
    queueJobs.reset();
    for (const d of depths) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const)
        queueJobs.set({ queue: d.queue, state }, d[state]);
    }
  }

  async function run(source: 'postgres' | typeof queueSource, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      up.set({ source }, 1);
    } catch (err) {
      up.set({ source }, 0);
      o.log.warn({ err, source }, 'metrics scrape: a source did not answer');
    }
  }

  return {
    async render() {
      await Promise.all([run('postgres', collectPostgres), run(queueSource, collectQueues)]);
      const merged = Registry.merge([o.metrics.registry, registry]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}
