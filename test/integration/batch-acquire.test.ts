/**
 * The nightly bulk ULN acquisition: reads the MIS view, creates batch register requests once (two runs
 * at once, with the same or different run keys, create each request once), records the run, and the
 * relay turns them into ULNs. Also the CLI with --wait --json.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireUlns, nightlyRunKey } from '../../src/batches/acquire-ulns.ts';
import { completeRunIfDone, countRunProgress } from '../../src/db/acquisition.ts';
import { createLogger } from '../../src/log.ts';
import { startPipeline, SIM_PASSWORD, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';
import { redisUrl } from '../helpers/urls.ts';
import { FAST_BATCH_ENV, newLearner } from './batch-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const log = createLogger({ level: 'silent' });

async function createView(p: Pipeline, n: number, from = 0): Promise<void> {
  await p.sql.query(`create schema if not exists mis`);
  await p.sql
    .query(`create table if not exists mis.needing (organisation text, mis_learner_id text, given_name text, family_name text,
                       date_of_birth date, gender text, last_known_post_code text, verification_type text, ability_to_share text, internal_note text)`);
  for (let i = from; i < from + n; i++) {
    const l = newLearner(i, 'night');
    await p.sql.query(
      `insert into mis.needing values ('10000001', $1, $2, $3, $4, $5, $6, '1', '1', 'not an LRS field')`,
      [`N${i}`, l.givenName, l.familyName, l.dateOfBirth, l.gender, l.lastKnownPostCode],
    );
  }
  await p.sql.query(`create or replace view mis.learners_needing_uln as select * from mis.needing`);
}

describe.each(TEST_BACKENDS)('nightly ULN acquisition on %s', (backend) => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({
      backend,
      simulator: { instantBatches: true },
      env: { ...FAST_BATCH_ENV, BATCH_LIMIT_REGISTRATION: '4', ACQUIRE_ULNS_CHUNK: '3' },
    });
  });
  afterAll(async () => p?.stop());

  it('creates each request once even when runs overlap, records the run, and the relay obtains the ULNs', async () => {
    await createView(p, 10);
    const o = { pool: p.relay.database.pool, log, view: 'mis.learners_needing_uln', chunkSize: 3 };
    const key = nightlyRunKey(Date.UTC(2025, 0, 15, 2));
    expect(key).toBe('nightly:2025-01-15');
    const [a, b, c] = await Promise.all([
      acquireUlns({ ...o, runKey: key }),
      acquireUlns({ ...o, runKey: key }),
      acquireUlns({ ...o, runKey: 'other' }),
    ]);
    // Same key: one run row, the second start does nothing.
    expect([a, b].filter((r) => r.skipped)).toHaveLength(1);
    const created = [a, b, c].reduce((n, r) => n + (r.skipped ? 0 : r.requestsCreated), 0);
    expect(created).toBe(10);
    const runs = await p.sql.query(
      `select run_key, learners_found, requests_created, status from lrs.acquisition_run order by run_key`,
    );
    expect(runs.rows.map((r: { run_key: string }) => r.run_key)).toEqual([key, 'other']);

    const reqs = await p.sql.query(
      `select mis_learner_id, mode, priority, requested_by, payload from lrs.request order by id`,
    );
    expect(reqs.rows).toHaveLength(10);
    expect(new Set(reqs.rows.map((r: { mis_learner_id: string }) => r.mis_learner_id)).size).toBe(10);
    const first = reqs.rows[0] as {
      mode: string;
      priority: number;
      requested_by: string;
      payload: Record<string, string>;
    };
    expect(first).toMatchObject({ mode: 'batch', priority: 10, requested_by: 'lrs-relay nightly' });
    // snake_case columns became camelCase LRS fields; the date is yyyy-MM-dd; other columns were left out.
    expect(Object.keys(first.payload).sort()).toEqual([
      'abilityToShare',
      'dateOfBirth',
      'familyName',
      'gender',
      'givenName',
      'lastKnownPostCode',
      'verificationType',
    ]);
    expect(first.payload.dateOfBirth).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    await p.settle(30_000);
    const done = await p.sql.query(
      `select count(*)::int as n from lrs.request where status = 'succeeded' and last_code = 'RC001'`,
    );
    expect(done.rows[0].n).toBe(10);
    const progress = await countRunProgress(p.relay.database.pool, key);
    expect(progress.done).toBe(progress.total);
    // The relay's own batch sweep may have completed the run already; either way it ends completed.
    await completeRunIfDone(p.relay.database.pool, key);
    const run = await p.sql.query(
      `select status, requests_completed as done, requests_created as created from lrs.acquisition_run where run_key = $1`,
      [key],
    );
    expect(run.rows[0]).toMatchObject({ status: 'completed', done: progress.total, created: progress.total });
    // Learners already with a (now closed) request from tonight are not asked for again by the same run key.
    const again = await acquireUlns({ ...o, runKey: key });
    expect(again.skipped).toBe(true);
  });

  it('lrs-relay acquire-ulns --wait --json follows the run to the end', async () => {
    await createView(p, 3, 100);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/lrs-relay.js', 'acquire-ulns', '--wait', '--json', '--run-key', 'cli-run'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          QUEUE_BACKEND: backend,
          DATABASE_URL: p.db.url,
          REDIS_URL: redisUrl(),
          LRS_PASSWORD_10000001: SIM_PASSWORD,
          LOG_LEVEL: 'warn',
        },
        timeout: 30_000,
      },
    );
    const out = JSON.parse(stdout.trim()) as {
      learnersFound: number;
      requestsCreated: number;
      completed: number;
      byStatus: Record<string, number>;
    };
    // The view still lists the first 10 (the test MIS never writes ULNs back) but their requests are closed, so a new run asks again for them too.
    expect(out.learnersFound).toBe(13);
    expect(out.completed).toBe(out.requestsCreated);
    expect(out.byStatus.succeeded).toBe(out.requestsCreated);
  });
});
