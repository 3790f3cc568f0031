/**
 * Shared by the batch integration tests: learner payloads that no seeded learner matches, fast batch
 * settings, and small queries over lrs.batch / lrs.request.
 */
import type pg from 'pg';
import type { Metrics } from '../../src/metrics.ts';
import { parsePrometheusText, sampleValue } from '../../src/support/prometheus-text.ts';

/** 0 → 'a', 25 → 'z', 26 → 'ba' …: names must be letters. */
export function letters(n: number): string {
  let s = '';
  let v = n;
  do {
    s = String.fromCharCode(97 + (v % 26)) + s;
    v = Math.floor(v / 26);
  } while (v > 0);
  return s;
}

/** A learner nobody else has: unique family name, ready to register (verification type and ability to share set). */
export function newLearner(i: number, tag = 'batch'): Record<string, string> {
  const name = `${tag}${letters(i)}`;
  return {
    givenName: `Given${letters(i * 7 + 3)}`,
    familyName: name.charAt(0).toUpperCase() + name.slice(1),
    dateOfBirth: `200${i % 8}-0${1 + (i % 9)}-1${i % 10}`,
    gender: String(1 + (i % 2)),
    lastKnownPostCode: 'CV4 9EE',
    verificationType: '1',
    abilityToShare: '1',
  };
}

/** Environment for quick batches in tests. */
export const FAST_BATCH_ENV: Record<string, string> = {
  BATCH_ASSEMBLE_INTERVAL_MS: '100',
  BATCH_WINDOW_MS: '1500',
  BATCH_POLL_INITIAL_MS: '100',
  BATCH_POLL_MAX_MS: '800',
  BATCH_SWEEP_INTERVAL_MS: '1000',
  BATCH_LIMIT_REGISTRATION: '5',
  BATCH_LIMIT_VERIFY: '5',
  BATCH_LIMIT_ACHIEVEMENT: '5',
  BATCH_FANOUT_CHUNK: '2',
  WORKER_LOCK_DURATION_MS: '2000',
};

export interface BatchView {
  id: number;
  organisation_id: number;
  kind: string;
  status: string;
  record_count: number;
  polls: number;
  last_code: string | null;
  last_error: string | null;
  counters: Record<string, unknown>;
  created_at: Date;
  submitted_at: Date | null;
  completed_at: Date | null;
  lrs_job_id: string | null;
}

export async function batches(sql: pg.Pool): Promise<BatchView[]> {
  return (await sql.query('select * from lrs.batch order by id')).rows as BatchView[];
}

/** The times of every output poll of a batch (from the audit), ms since the epoch. */
export async function pollTimes(sql: pg.Pool, batchId: number): Promise<number[]> {
  const r = await sql.query(
    `select created_at from lrs.audit where batch_id = $1 and operation like 'get%' order by id`,
    [batchId],
  );
  return r.rows.map((x: { created_at: Date }) => x.created_at.getTime());
}

export async function requestsOf(sql: pg.Pool, ids: number[]): Promise<Record<string, unknown>[]> {
  const r = await sql.query(
    `select r.id, r.status, r.mode, r.batch_id, r.last_code, r.last_error, o.code, o.uln, o.failure_flags
       from lrs.request r left join lrs.outcome o on o.request_id = r.id where r.id = any($1::bigint[]) order by r.id`,
    [ids],
  );
  return r.rows as Record<string, unknown>[];
}

/** lrs_relay_request_outcomes_total with these labels, as the relay's /metrics would serve it (0 when absent). */
export async function outcomesCounted(
  metrics: Metrics,
  labels: { kind: string; status: string; code: string },
): Promise<number> {
  return (
    sampleValue(
      parsePrometheusText(await metrics.registry.metrics()),
      'lrs_relay_request_outcomes_total',
      labels,
    ) ?? 0
  );
}
