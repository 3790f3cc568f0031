/**
 * The nightly acquisition as the scheduler runs it, per organisation: the job data names the
 * organisation the way `lrs-relay acquire-ulns --org` does, a misspelt field is refused instead of
 * silently widening the run to every organisation, and runs of two organisations on the same night do
 * not take each other's run key. Also `lrs-relay acquire-ulns --org` itself.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Job } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createLogger } from '../../src/log.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/codes/retry-policy.ts';
import { createMetrics } from '../../src/metrics.ts';
import { JOBS, type JobQueue } from '../../src/queues/catalogue.ts';
import { createSchedule } from '../../src/schedulers/schedule.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { newLearner } from './batch-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NIGHT = Date.UTC(2025, 0, 15, 2);

describe('per-organisation ULN acquisition', () => {
  let tdb: TestDatabase;
  let db: Database;
  let sql: pg.Client;
  let run: (data: unknown) => Promise<unknown>;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    sql = new pg.Client({ connectionString: tdb.url });
    await sql.connect();
    await sql.query(
      `insert into lrs.organisation (name, ukprn, organisation_ref, password_ref, default_user_name)
       values ('North College', '10000001', null, '{"kind":"env","name":"X"}', 'north nightly'),
              ('South School', null, 'SOUTH1', '{"kind":"env","name":"X"}', 'south nightly')`,
    );
    await sql.query(`create schema mis`);
    await sql.query(
      `create table mis.needing (organisation text, mis_learner_id text, given_name text, family_name text,
                                 date_of_birth date, gender text, last_known_post_code text)`,
    );
    for (const [org, n] of [
      ['10000001', 3],
      ['SOUTH1', 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const l = newLearner(i, org);
        await sql.query(`insert into mis.needing values ($1, $2, $3, $4, $5, $6, $7)`, [
          org,
          `${org}-${i}`,
          l.givenName,
          l.familyName,
          l.dateOfBirth,
          l.gender,
          l.lastKnownPostCode,
        ]);
      }
    }
    await sql.query(`create view mis.learners_needing_uln as select * from mis.needing`);
    db = createDatabase({ url: tdb.url, poolSize: 3 });
    const job = createSchedule({
      config: loadConfig({ DATABASE_URL: tdb.url }),
      pool: db.pool,
      log: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      policy: DEFAULT_RETRY_POLICY,
      // The acquisition job never touches the queues (only the sweeps beside it do).
      queueFor: () => ({}) as JobQueue,
      batchQueue: {} as JobQueue,
    }).find((j) => j.name === JOBS.acquireUlns);
    if (!job) throw new Error('no acquisition job in the schedule');
    run = (data) => job.run({ data, timestamp: NIGHT, opts: {} } as unknown as Job);
  });
  beforeEach(async () => {
    await sql.query(`truncate lrs.request, lrs.acquisition_run cascade`);
  });
  afterAll(async () => {
    await db?.close();
    await sql?.end();
    await tdb?.drop();
  });

  const requestsByOrg = async () =>
    (
      await sql.query<{ org: string; n: number; run: string }>(
        `select coalesce(o.ukprn, o.organisation_ref) as org, count(*)::int as n,
                min(split_part(r.dedupe_key, ':', 2) || ':' || split_part(r.dedupe_key, ':', 3)) as run
           from lrs.request r join lrs.organisation o on o.id = r.organisation_id group by 1 order by 1`,
      )
    ).rows;

  it('a scheduled run for one organisation creates requests for that organisation only', async () => {
    await run({ organisation: 'SOUTH1' });
    expect(await requestsByOrg()).toEqual([{ org: 'SOUTH1', n: 2, run: 'nightly:2025-01-15' }]);
  });

  it('runs for two organisations on the same night both happen', async () => {
    await run({ organisation: '10000001' });
    await run({ organisation: 'SOUTH1' });
    expect((await requestsByOrg()).map((r) => [r.org, r.n])).toEqual([
      ['10000001', 3],
      ['SOUTH1', 2],
    ]);
    const runs = await sql.query(`select run_key from lrs.acquisition_run order by run_key`);
    expect(runs.rows.map((r: { run_key: string }) => r.run_key)).toEqual([
      'nightly:2025-01-15:10000001',
      'nightly:2025-01-15:SOUTH1',
    ]);
  });

  it('job data naming the organisation another way is refused, not widened to every organisation', async () => {
    await expect(run({ organisationId: 2 })).rejects.toThrow(/acquire-ulns.*organisationId/);
    expect(await requestsByOrg()).toEqual([]);
  });

  it('without an organisation the run covers every organisation', async () => {
    await run({});
    expect((await requestsByOrg()).map((r) => [r.org, r.n])).toEqual([
      ['10000001', 3],
      ['SOUTH1', 2],
    ]);
  });

  it('lrs-relay acquire-ulns --org creates requests for that organisation only', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/lrs-relay.js', 'acquire-ulns', '--org', '10000001', '--json', '--run-key', 'by-hand'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: tdb.url, LOG_LEVEL: 'warn' }, timeout: 30_000 },
    );
    expect(JSON.parse(stdout.trim())).toMatchObject({ learnersFound: 3, requestsCreated: 3 });
    expect((await requestsByOrg()).map((r) => [r.org, r.n])).toEqual([['10000001', 3]]);
  });
});
