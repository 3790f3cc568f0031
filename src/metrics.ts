/**
 * Prometheus metrics of one process. Workers record request outcomes and LRS call latency here;
 * the dashboard's /metrics serves this registry plus gauges read from Postgres and Redis at scrape time.
 */
import { timingSafeEqual } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from './config.ts';
import type { LrsCallEvent } from './lrs/types.ts';

/**
 * Who may read /metrics (the dashboard's and a HEALTH_PORT's): the bearer METRICS_TOKEN, or anyone with
 * METRICS_PUBLIC=true and no token set. Closed by default: queue depths and request counts tell an
 * outsider too much. Returns null when allowed, else the 401 answer's text.
 */
export function refuseMetrics(
  authorization: string | undefined,
  config: Pick<Config, 'METRICS_TOKEN' | 'METRICS_PUBLIC'>,
): string | null {
  const token = config.METRICS_TOKEN;
  if (token === undefined && config.METRICS_PUBLIC) return null;
  if (token === undefined)
    return '/metrics is closed: set METRICS_TOKEN and send it as a bearer token (or METRICS_PUBLIC=true on a private network)';
  const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? null : 'bearer token required';
}

export interface Metrics {
  registry: Registry;
  requestOutcomes: Counter<'kind' | 'status' | 'code'>;
  lrsCallDuration: Histogram<'operation' | 'code_source'>;
  lrsCalls: Counter<'operation' | 'code'>;
  /** Lost or stuck requests the reconcile sweep put back (requeued) or gave up on (failed). */
  reconciled: Counter<'outcome'>;
  /** Rows whose personal data the retention purge cleared, by table (request, learning_event). */
  retentionPurged: Counter<'table'>;
  /**
   * Seconds spent in each stage of batch work (assemble, submit_db, submit_call, poll_call, fan_out), so
   * an operator (and the bulk benchmark) can see which stage a slow night spends its time in.
   */
  batchStageSeconds: Histogram<'stage'>;
  /** Records one LRS call (pass as the client's onCall). */
  recordCall(event: LrsCallEvent): void;
}

export function createMetrics(o: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'lrs_relay_' });
  const requestOutcomes = new Counter({
    name: 'lrs_relay_request_outcomes_total',
    help: 'Requests that reached a terminal state, by kind, status and code',
    labelNames: ['kind', 'status', 'code'] as const,
    registers: [registry],
  });
  const lrsCallDuration = new Histogram({
    name: 'lrs_relay_lrs_call_duration_seconds',
    help: 'LRS call latency by operation',
    labelNames: ['operation', 'code_source'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
    registers: [registry],
  });
  const lrsCalls = new Counter({
    name: 'lrs_relay_lrs_calls_total',
    help: 'LRS calls by operation and the code they ended with',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  });
  const reconciled = new Counter({
    name: 'lrs_relay_reconciled_requests_total',
    help: 'Requests the reconcile sweep found lost or stuck: requeued, or failed after too many attempts',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const retentionPurged = new Counter({
    name: 'lrs_relay_retention_purged_total',
    help: 'Rows whose personal data the retention purge cleared, by table (request, learning_event)',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  const batchStageSeconds = new Histogram({
    name: 'lrs_relay_batch_stage_seconds',
    help: 'Time spent in each stage of batch work: assemble, submit_db, submit_call, poll_call, fan_out',
    labelNames: ['stage'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    requestOutcomes,
    lrsCallDuration,
    lrsCalls,
    reconciled,
    retentionPurged,
    batchStageSeconds,
    recordCall(e) {
      lrsCallDuration.observe({ operation: e.operation, code_source: e.codeSource }, e.durationMs / 1000);
      lrsCalls.inc({ operation: e.operation, code: e.code });
    },
  };
}
