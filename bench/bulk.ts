/**
 * Nightly bulk ULN acquisition of N learners, end to end: the MIS view is read with a cursor, batch
 * register requests are created, assembled into batches of 200, submitted to the simulator (its own
 * process, instant batch jobs), polled and fanned out, until every request is terminal. The relay runs
 * in this process (worker role: the batch-mode requests need no producer), so peakRssMb is this
 * process's peak resident set (sampled every 100 ms).
 *
 *   npm run bench -- bulk -- --learners 100000 [--concurrency 4] [--keep-db]
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { startRelay } from '../src/runtime.ts';
import { acquireUlns } from '../src/batches/acquire-ulns.ts';
import { startSimulatorProcess } from './lib/harness.ts';
import { OPEN_STATUSES } from '../db/schema.ts';
import { sqlList } from '../src/db/sql-list.ts';

const PASSWORD = 'Simulator-Pass16';

/** The MIS side: N students without a ULN, all distinct people, and the view the acquisition reads. */
async function createMis(sql: pg.Client, n: number): Promise<void> {
  await sql.query(`create schema mis`);
  await sql.query(
    `
    create table mis.bench_students as
    select i as student_id,
           'Given' || chr(97 + (i / 17576) % 26) || chr(97 + (i / 676) % 26) || chr(97 + (i / 26) % 26) || chr(97 + i % 26) as forename,
           'Bulk' || chr(97 + (i / 11881376) % 26) || chr(97 + (i / 456976) % 26) || chr(97 + (i / 17576) % 26)
                  || chr(97 + (i / 676) % 26) || chr(97 + (i / 26) % 26) || chr(97 + i % 26) as surname,
           date '1950-01-01' + (i % 30000) as birth_date,
           (1 + i % 2)::text as sex
      from generate_series(1, $1::int) as i`,
    [n],
  );
  await sql.query(`
    create view mis.learners_needing_uln as
    select '10000001' as organisation, 'S' || student_id as mis_learner_id, forename as "givenName", surname as "familyName",
           to_char(birth_date, 'YYYY-MM-DD') as "dateOfBirth", sex as gender, 'CV4 9EE' as "lastKnownPostCode",
           '1' as "verificationType", '1' as "abilityToShare"
      from mis.bench_students`);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      learners: { type: 'string' },
      concurrency: { type: 'string' },
      'keep-db': { type: 'boolean' },
    },
  });
  const learners = Number(values.learners ?? 100_000);
  const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `lrs_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  await migrateDatabase(dbUrl.toString());

  const sql = new pg.Client({ connectionString: dbUrl.toString() });
  await sql.connect();
  await sql.query(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name) values ('Bench College', '10000001', $1, 'lrs-relay nightly')`,
    [JSON.stringify({ kind: 'env', name: 'LRS_PASSWORD_BENCH' })],
  );
  await createMis(sql, learners);

  const sim = await startSimulatorProcess(
    ['--instant-batches', '--synthetic', '0'],
    ['--max-old-space-size=4096'],
  );
  const config = loadConfig({
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: '12',
    DATABASE_STATEMENT_TIMEOUT_MS: '120000',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    LRS_BASE_URL: sim.url,
    LRS_ALLOW_INSECURE_HTTP: 'true',
    LRS_TIMEOUT_MS: '60000',
    LOG_LEVEL: 'warn',
    BATCH_CONCURRENCY: values.concurrency ?? '4',
    BATCH_ASSEMBLE_INTERVAL_MS: '200',
    BATCH_POLL_INITIAL_MS: '0',
    BATCH_WINDOW_MS: '1000',
  });
  const log = createLogger({ level: 'warn' });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const relay = await startRelay({
    config,
    roles: ['worker'],
    log,
    env: { LRS_PASSWORD_BENCH: PASSWORD },
    connectionTag: config.QUEUE_PREFIX,
  });
  const t0 = performance.now();
  try {
    const acquired = await acquireUlns({
      pool: relay.database.pool,
      log,
      view: config.ACQUIRE_ULNS_VIEW,
      runKey: `bench:${Date.now()}`,
      chunkSize: config.ACQUIRE_ULNS_CHUNK,
    });
    const created = acquired.skipped ? 0 : acquired.requestsCreated;
    const acquiredSeconds = (performance.now() - t0) / 1000;
    for (;;) {
      const r = await sql.query(
        `select count(*)::int as n from lrs.request where status in ${sqlList(OPEN_STATUSES)}`,
      );
      if (r.rows[0].n === 0) break;
      await new Promise((res) => setTimeout(res, 1_000));
    }
    const seconds = (performance.now() - t0) / 1000;
    const statuses = (await sql.query(`select status, count(*)::int as n from lrs.request group by status`))
      .rows as { status: string; n: number }[];
    const batchCount = (await sql.query(`select count(*)::int as n from lrs.batch`)).rows[0].n as number;
    return {
      learners,
      seconds: Math.round(seconds * 10) / 10,
      learnersPerSecond: Math.round(learners / seconds),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      detail: {
        requestsCreated: created,
        acquireSeconds: Math.round(acquiredSeconds * 10) / 10,
        batches: batchCount,
        statuses: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
      },
    };
  } finally {
    clearInterval(sampler);
    await relay.close();
    await sql.end();
    sim.child.kill('SIGTERM');
    if (sim.child.exitCode === null) await once(sim.child, 'exit');
    if (!values['keep-db']) {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${dbName} with (force)`);
      await a.end();
    }
  }
}
