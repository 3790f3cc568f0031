/**
 * Nightly bulk ULN acquisition of N learners, end to end: the MIS view is read with a cursor, batch
 * register requests are created, assembled into batches of 200, submitted to the simulator (its own
 * process, instant batch jobs), polled and fanned out, until every request is terminal. The relay runs
 * in this process (worker role: the batch-mode requests need no producer), so peakRssMb is this
 * process's peak resident set (sampled every 100 ms). The scheduler's sweeps (batch sweep and run
 * progress, every 5 s here; the retention purge with --history) run beside it, as in a real night.
 *
 *   npm run bench -- bulk -- --learners 100000 [--organisations 50] [--history 10000000]
 *                            [--private-postgres] [--pg name=value ...] [--concurrency 4] [--keep-db]
 *
 * --history N first fills lrs.request, lrs.outcome and lrs.audit with N finished requests of the past
 * year, as retention leaves them (older than 91 days purged, a day's worth just past 90 days waiting for
 * tonight's purge), spread over the organisations, kinds and terminal statuses.
 * --private-postgres runs the night on a private cluster (bench/lib/postgres.ts) with pg_stat_statements
 * loaded and the given --pg settings; without it, the shared server (BENCH_PG_URL) is used and the top
 * statements are reported only if it loads pg_stat_statements.
 *
 * The JSON carries the night's seconds, the time per stage (relay's lrs_relay_batch_stage_seconds, the
 * acquisition's read and insert, the sweeps), the top statements by total time, learners per second per
 * organisation, and the checks: every request terminal with exactly one outcome, every learner sent to
 * the LRS exactly once.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { startRelay } from '../src/runtime.ts';
import { acquireUlns } from '../src/batches/acquire-ulns.ts';
import { sweepBatches } from '../src/batches/sweep.ts';
import { completeRunIfDone, listOpenAcquisitionRuns } from '../src/db/acquisition.ts';
import { purgePersonalData } from '../src/requests/retention.ts';
import { startSimulatorProcess } from './lib/harness.ts';
import { startPrivatePostgres, type PrivatePostgres } from './lib/postgres.ts';
import { POSTGRES_PIDS_SQL, startCpuWindow, type PostgresProcess } from './lib/cpu.ts';
import { OPEN_STATUSES } from '../db/schema.ts';
import { sqlList } from '../src/db/sql-list.ts';

const PASSWORD = 'Simulator-Pass16';
const SWEEP_EVERY_MS = 5_000;

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The MIS side: N students without a ULN, all distinct people born 1960-2003 (within the ages the LRS
 * issues ULNs for, so every one is sent), spread over the organisations, and the view.
 */
async function createMis(sql: pg.Client, n: number, organisations: number): Promise<void> {
  await sql.query(`create schema mis`);
  await sql.query(
    `
    create table mis.bench_students as
    select i as student_id, (10000001 + i % $2::int)::text as organisation,
           'Given' || chr(97 + (i / 17576) % 26) || chr(97 + (i / 676) % 26) || chr(97 + (i / 26) % 26) || chr(97 + i % 26) as forename,
           'Bulk' || chr(97 + (i / 11881376) % 26) || chr(97 + (i / 456976) % 26) || chr(97 + (i / 17576) % 26)
                  || chr(97 + (i / 676) % 26) || chr(97 + (i / 26) % 26) || chr(97 + i % 26) as surname,
           date '1960-01-01' + (i % 16000) as birth_date,
           (1 + i % 2)::text as sex
      from generate_series(1, $1::int) as i`,
    [n, organisations],
  );
  await sql.query(`
    create view mis.learners_needing_uln as
    select organisation, 'S' || student_id as mis_learner_id, forename as "givenName", surname as "familyName",
           to_char(birth_date, 'YYYY-MM-DD') as "dateOfBirth", sex as gender, 'CV4 9EE' as "lastKnownPostCode",
           '1' as "verificationType", '1' as "abilityToShare"
      from mis.bench_students`);
}

/**
 * A year of finished requests (ids 1..n, oldest first, one every 365/n days up to yesterday) with their
 * outcomes, audit rows and batches, as retention leaves them. Set-based and with the secondary indexes
 * dropped and rebuilt afterwards (as a restore would), triggers and foreign key checks off for the fill.
 */
async function fillHistory(
  sql: pg.Client,
  n: number,
  organisations: number,
  learners: number,
): Promise<void> {
  const orgBase = Number((await sql.query(`select min(id) as id from lrs.organisation`)).rows[0].id);
  const indexes = (
    await sql.query(
      `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
         from pg_index i join pg_class t on t.oid = i.indrelid join pg_namespace s on s.oid = t.relnamespace
        where s.nspname = 'lrs' and t.relname in ('request', 'outcome', 'audit', 'batch')
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    )
  ).rows as { name: string; def: string }[];
  await sql.query(`set session_replication_role = replica`);
  await sql.query(`set maintenance_work_mem = '512MB'`);
  for (const ix of indexes) await sql.query(`drop index ${ix.name}`);
  // Blocks of 200 consecutive ids share an organisation; register blocks were one batch each.
  const common = `
    with g as (
      select i, ${orgBase} + ((i - 1) / 200) % ${organisations} as org,
             case when i % 20 < 12 then 'register' when i % 20 < 15 then 'find_by_demographics'
                  when i % 20 < 17 then 'verify' when i % 20 < 18 then 'find_by_uln' when i % 20 < 19 then 'update'
                  else 'achievement' end as kind,
             case when i % 100 < 85 then 'succeeded' when i % 100 < 90 then 'needs_action'
                  when i % 100 < 94 then 'rejected' when i % 100 < 97 then 'failed' else 'cancelled' end as status,
             now() - make_interval(secs => (1 + ($1::bigint - i)::float8 / $1 * 364) * 86400) as created
        from generate_series(1, $1::bigint) as i
    ), h as (
      select g.*, created + interval '5 minutes' as completed,
             created + interval '5 minutes' < now() - interval '91 days' as purged,
             case status when 'succeeded' then case kind when 'register' then 'RC001' else 'WSRC0004' end
                         when 'needs_action' then 'RC006' when 'rejected' then 'LOCAL_VALIDATION'
                         when 'failed' then 'WSEC0005' else 'CANCELLED' end as code
        from g
    )`;
  await sql.query(
    `insert into lrs.batch (id, organisation_id, kind, job_type, status, requested_by, lrs_job_id, record_count,
                            polls, created_at, submitted_at, completed_at, updated_at)
     select b, ${orgBase} + (b - 1) % ${organisations}, 'registration', 'FUL', 'completed', 'lrs-relay nightly',
            'hist-' || b, 200, 1, now() - make_interval(secs => (1 + ($1::bigint - b * 200)::float8 / $1 * 364) * 86400),
            now() - make_interval(secs => (1 + ($1::bigint - b * 200)::float8 / $1 * 364) * 86400),
            now() - make_interval(secs => (1 + ($1::bigint - b * 200)::float8 / $1 * 364) * 86400) + interval '5 minutes',
            now() - make_interval(secs => (1 + ($1::bigint - b * 200)::float8 / $1 * 364) * 86400) + interval '5 minutes'
       from generate_series(1, ($1::bigint + 199) / 200) as b`,
    [n],
  );
  await sql.query(
    `${common}
     insert into lrs.request (id, organisation_id, requested_by, kind, mode, priority, mis_learner_id, payload, status,
                              attempts, last_code, last_error, batch_id, dedupe_key, created_at, updated_at, queued_at,
                              completed_at, purged_at)
     select i, org, 'lrs-relay nightly', kind, case when kind in ('register', 'achievement') then 'batch' else 'single' end,
            case when kind = 'register' then 10 else 1 end, 'S' || (1 + i % ($2::bigint * 3)),
            case when purged then '{}'::jsonb
                 else jsonb_build_object('givenName', 'Hist', 'familyName', 'Learner' || i, 'dateOfBirth', '2001-02-03',
                                         'gender', '1', 'lastKnownPostCode', 'CV4 9EE') end,
            status, 1, code, case when status <> 'succeeded' and not purged then 'earlier night' end,
            case when kind in ('register', 'achievement') then (i - 1) / 200 + 1 end,
            case when kind = 'register' and not purged then 'acquire:history:' || i end,
            created, completed, created, completed, case when purged then completed + interval '90 days' end
       from h`,
    [n, learners],
  );
  await sql.query(
    `${common}
     insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, description, detail, created_at)
     select i, org, code, case when status in ('rejected', 'cancelled') then 'relay' else 'lrs' end,
            case status when 'succeeded' then 'success' when 'needs_action' then 'needs_action'
                        when 'rejected' then 'validation' when 'failed' then 'configuration' else 'cancelled' end,
            case when status = 'succeeded' then (1000000000 + i)::text end,
            case when not purged and status <> 'succeeded' then 'earlier night' end,
            case when not purged then jsonb_build_object('history', true) end, completed
       from h`,
    [n],
  );
  await sql.query(
    `${common}
     insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, http_status,
                            duration_ms, attempt, created_at)
     select org, i, 'lrs-relay nightly', kind, code, 'lrs', 200, 120, 1, completed from h`,
    [n],
  );
  for (const ix of indexes) await sql.query(ix.def);
  await sql.query(`set session_replication_role = origin`);
  await sql.query(`select setval('lrs.request_id_seq', $1::bigint)`, [n]);
  await sql.query(`select setval('lrs.batch_id_seq', ($1::bigint + 199) / 200)`, [n]);
  // A year-old table has been vacuumed and analysed many times.
  for (const t of ['request', 'outcome', 'audit', 'batch'])
    await sql.query(`vacuum (freeze, analyze) lrs.${t}`);
}

/** Cluster-wide WAL and checkpoint counters (the private cluster holds only the bench's database). */
async function serverActivity(
  sql: pg.Client,
): Promise<{ walBytes: number; walFpi: number; checkpointsTimed: number; checkpointsReq: number }> {
  const r = await sql.query(
    `select w.wal_bytes::float8 as "walBytes", w.wal_fpi::float8 as "walFpi",
            b.checkpoints_timed::int as "checkpointsTimed", b.checkpoints_req::int as "checkpointsReq"
       from pg_stat_wal w, pg_stat_bgwriter b`,
  );
  return r.rows[0] as { walBytes: number; walFpi: number; checkpointsTimed: number; checkpointsReq: number };
}

/** lrs.request's size with its indexes, dead rows and (auto)vacuum/analyze runs, at the end of the night. */
async function tableFigures(sql: pg.Client): Promise<Record<string, number>> {
  const r = await sql.query(
    `select round(pg_total_relation_size('lrs.request') / 1048576.0)::int as "requestMb",
            round(pg_indexes_size('lrs.request') / 1048576.0)::int as "requestIndexesMb",
            n_dead_tup::int as "requestDeadRows", (vacuum_count + autovacuum_count)::int as "requestVacuums",
            (analyze_count + autoanalyze_count)::int as "requestAnalyzes"
       from pg_stat_user_tables where schemaname = 'lrs' and relname = 'request'`,
  );
  return r.rows[0] as Record<string, number>;
}

interface StageFigure {
  seconds: number;
  count: number;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      learners: { type: 'string' },
      organisations: { type: 'string' },
      history: { type: 'string' },
      concurrency: { type: 'string' },
      'private-postgres': { type: 'boolean' },
      pg: { type: 'string', multiple: true },
      'keep-db': { type: 'boolean' },
    },
  });
  const learners = Number(values.learners ?? 100_000);
  const organisations = Number(values.organisations ?? 1);
  const history = Number(values.history ?? 0);
  let privatePg: PrivatePostgres | undefined;
  if (values['private-postgres']) {
    const settings: Record<string, string> = {};
    for (const s of values.pg ?? []) {
      const eq = s.indexOf('=');
      if (eq < 1) throw new Error(`--pg takes name=value, got ${JSON.stringify(s)}`);
      settings[s.slice(0, eq)] = s.slice(eq + 1);
    }
    // Planning time counted too: every statement of the relay is planned on each call.
    settings['pg_stat_statements.track_planning'] ??= 'on';
    privatePg = await startPrivatePostgres(settings);
  }
  const adminUrl =
    privatePg?.adminUrl ??
    process.env.BENCH_PG_URL ??
    process.env.TEST_PG_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `lrs_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const server = Object.fromEntries(
    (
      await admin.query(
        `select name, setting || coalesce(unit, '') as value from pg_settings
          where name in ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'autovacuum', 'synchronous_commit',
                         'shared_preload_libraries', 'work_mem')`,
      )
    ).rows.map((r: { name: string; value: string }) => [r.name, r.value]),
  ) as Record<string, string>;
  await admin.query(`create database ${dbName}`);
  await admin.end();
  await migrateDatabase(dbUrl.toString());

  const sql = new pg.Client({ connectionString: dbUrl.toString() });
  await sql.connect();
  const statements = server.shared_preload_libraries?.includes('pg_stat_statements') ?? false;
  if (statements) await sql.query(`create extension if not exists pg_stat_statements`);
  await sql.query(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
     select 'Bench College ' || k, (10000001 + k)::text, $1, 'lrs-relay nightly' from generate_series(0, $2::int - 1) k`,
    [JSON.stringify({ kind: 'env', name: 'LRS_PASSWORD_BENCH' }), organisations],
  );
  await createMis(sql, learners, organisations);
  let fillSeconds = 0;
  if (history > 0) {
    const t = performance.now();
    await fillHistory(sql, history, organisations, learners);
    fillSeconds = round((performance.now() - t) / 1000);
  }
  const firstNightId = history + 1;

  const orgFileDir = mkdtempSync(join(tmpdir(), 'lrs-bench-orgs-'));
  const orgFile = join(orgFileDir, 'orgs.json');
  writeFileSync(
    orgFile,
    JSON.stringify(
      Array.from({ length: organisations }, (_, k) => ({
        ukprn: String(10000001 + k),
        password: PASSWORD,
        operations: ['*'],
      })),
    ),
  );
  const sim = await startSimulatorProcess(
    ['--instant-batches', '--synthetic', '0', '--orgs', orgFile],
    // The simulator keeps every learner it registered: at 3,000,000 a 4 GB heap filled and it collected
    // garbage most of the night, so the night measured the simulator, not the relay.
    [`--max-old-space-size=${Math.max(4096, Math.ceil((learners * 3) / 1000))}`],
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
  const sweeps = {
    batchSweep: { seconds: 0, count: 0, maxSeconds: 0 },
    purge: { seconds: 0, count: 0, maxSeconds: 0, requests: 0 },
  };
  let stopSweeps = false;
  const sweepLoop = (async () => {
    let purging = history > 0;
    while (!stopSweeps) {
      await new Promise((r) => setTimeout(r, SWEEP_EVERY_MS));
      if (stopSweeps) break;
      let t = performance.now();
      await sweepBatches({
        pool: relay.database.pool,
        queue: relay.batchQueue,
        log,
        staleMs: 30_000,
        submitAttempts: 5,
      });
      for (const runKey of await listOpenAcquisitionRuns(relay.database.pool))
        await completeRunIfDone(relay.database.pool, runKey);
      let s = (performance.now() - t) / 1000;
      sweeps.batchSweep.seconds += s;
      sweeps.batchSweep.count++;
      sweeps.batchSweep.maxSeconds = Math.max(sweeps.batchSweep.maxSeconds, s);
      if (purging) {
        t = performance.now();
        const p = await purgePersonalData({
          pool: relay.database.pool,
          log,
          settings: { requestDays: 90, learningEventDays: 30, chunk: 500, maxRunMs: 20_000 },
        });
        s = (performance.now() - t) / 1000;
        sweeps.purge.seconds += s;
        sweeps.purge.count++;
        sweeps.purge.maxSeconds = Math.max(sweeps.purge.maxSeconds, s);
        sweeps.purge.requests += p.requests;
        purging = p.more;
      }
    }
  })();
  if (statements) await sql.query(`select pg_stat_statements_reset()`);
  const serverBefore = await serverActivity(sql);
  const startedAt = (await sql.query(`select clock_timestamp() as t`)).rows[0].t as Date;
  const cpu = startCpuWindow(sim.child.pid);
  const t0 = performance.now();
  try {
    const acquired = await acquireUlns({
      pool: relay.database.pool,
      log,
      view: config.ACQUIRE_ULNS_VIEW,
      runKey: `bench:${Date.now()}`,
      chunkSize: config.ACQUIRE_ULNS_CHUNK,
    });
    if (acquired.skipped) throw new Error(`the acquisition did not run: ${acquired.reason}`);
    const acquiredSeconds = (performance.now() - t0) / 1000;
    // Asks whether any request is still open (the first entry of the partial index request_open_idx); never
    // counts them, so the wait takes no time from what it measures.
    for (;;) {
      const r = await sql.query(
        `select exists (select 1 from lrs.request where status in ${sqlList(OPEN_STATUSES)}) as open`,
      );
      if (!(r.rows[0].open as boolean)) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpuUse = cpu.stop(learners, (await sql.query(POSTGRES_PIDS_SQL)).rows as PostgresProcess[]);
    clearInterval(sampler);
    stopSweeps = true;
    await sweepLoop;

    const stages: Record<string, StageFigure> = {
      acquire_read: { seconds: acquired.seconds.read, count: 1 },
      acquire_insert: { seconds: acquired.seconds.insert, count: 1 },
    };
    for (const v of (await relay.metrics.batchStageSeconds.get()).values) {
      const stage = String(v.labels.stage);
      const s = (stages[stage] ??= { seconds: 0, count: 0 });
      if (v.metricName?.endsWith('_sum')) s.seconds = round(v.value, 2);
      if (v.metricName?.endsWith('_count')) s.count = v.value;
    }
    const sub = (a: string, b: string) => round((stages[a]?.seconds ?? 0) - (stages[b]?.seconds ?? 0), 2);
    const stageSeconds = {
      read_view: stages.acquire_read?.seconds,
      create_requests: stages.acquire_insert?.seconds,
      assemble_find: stages.assemble_find?.seconds,
      assemble_claim: stages.assemble_claim?.seconds,
      submit_db: sub('submit', 'submit_call'),
      submit_call: stages.submit_call?.seconds,
      poll_call: stages.poll_call?.seconds,
      fan_out: stages.fan_out?.seconds,
      poll_other: round(
        (stages.poll?.seconds ?? 0) - (stages.poll_call?.seconds ?? 0) - (stages.fan_out?.seconds ?? 0),
        2,
      ),
      batch_sweep: round(sweeps.batchSweep.seconds, 2),
      retention_purge: round(sweeps.purge.seconds, 2),
    };

    const serverAfter = await serverActivity(sql);
    const serverNight = {
      walMb: round((serverAfter.walBytes - serverBefore.walBytes) / 1024 / 1024),
      walFullPageImages: serverAfter.walFpi - serverBefore.walFpi,
      checkpointsTimed: serverAfter.checkpointsTimed - serverBefore.checkpointsTimed,
      checkpointsRequested: serverAfter.checkpointsReq - serverBefore.checkpointsReq,
      ...(await tableFigures(sql)),
    };
    let topStatements: unknown[] = [];
    if (statements) {
      const r = await sql.query(
        `select left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query, calls::int,
                round(total_exec_time::numeric / 1000, 2)::float8 as "totalSeconds",
                round(mean_exec_time::numeric, 3)::float8 as "meanMs",
                round(total_plan_time::numeric / 1000, 2)::float8 as "planSeconds", rows::bigint as rows,
                shared_blks_hit + shared_blks_read as blocks, shared_blks_dirtied as dirtied, wal_bytes::bigint as "walBytes"
           from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
          order by total_exec_time + total_plan_time desc limit 12`,
      );
      topStatements = r.rows;
    }
    const night = await sql.query(
      `select r.organisation_id as org, count(*)::int as n,
              extract(epoch from max(r.completed_at) - $2::timestamptz)::float8 as secs,
              count(*) filter (where r.status in ${sqlList(OPEN_STATUSES)})::int as open,
              count(o.request_id)::int as outcomes
         from lrs.request r left join lrs.outcome o on o.request_id = r.id
        where r.id >= $1 group by r.organisation_id order by r.organisation_id`,
      [firstNightId, startedAt],
    );
    const perOrg = night.rows as { org: number; n: number; secs: number; open: number; outcomes: number }[];
    const rates = perOrg.map((o) => o.n / o.secs);
    const statuses = (
      await sql.query(`select status, count(*)::int as n from lrs.request where id >= $1 group by status`, [
        firstNightId,
      ])
    ).rows as { status: string; n: number }[];
    const batchCount = (
      await sql.query(`select count(*)::int as n from lrs.batch where id > ($1::bigint + 199) / 200`, [
        history,
      ])
    ).rows[0].n as number;
    const simStats = (await sim.stats()) as {
      misIdentifiers: { registration: { records: number; distinct: number; repeated: number } };
    };
    const requests = perOrg.reduce((a, o) => a + o.n, 0);
    const checks = {
      requests,
      allTerminal: perOrg.every((o) => o.open === 0),
      oneOutcomeEach: perOrg.every((o) => o.outcomes === o.n),
      sentOnceEach:
        simStats.misIdentifiers.registration.repeated === 0 &&
        simStats.misIdentifiers.registration.distinct === requests,
      registrationRecords: simStats.misIdentifiers.registration.records,
    };
    if (!checks.allTerminal || !checks.oneOutcomeEach || !checks.sentOnceEach || requests !== learners)
      throw new Error(`the night's checks failed: ${JSON.stringify(checks)}`);
    return {
      learners,
      organisations,
      history,
      seconds: round(seconds),
      learnersPerSecond: Math.round(learners / seconds),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      // CPU per learner by component: on a shared machine, far steadier than the seconds.
      cpu: cpuUse,
      stageSeconds,
      perOrganisation: {
        learnersPerSecondMin: Math.round(Math.min(...rates)),
        learnersPerSecondMax: Math.round(Math.max(...rates)),
        finishedSecondsMin: round(Math.min(...perOrg.map((o) => o.secs))),
        finishedSecondsMax: round(Math.max(...perOrg.map((o) => o.secs))),
        ...(organisations <= 50
          ? {
              learnersPerSecond: Object.fromEntries(
                perOrg.map((o, i) => [String(o.org), Math.round(rates[i] ?? 0)]),
              ),
            }
          : {}),
      },
      checks,
      sweeps: {
        batchSweep: { runs: sweeps.batchSweep.count, maxSeconds: round(sweeps.batchSweep.maxSeconds, 2) },
        retentionPurge: {
          runs: sweeps.purge.count,
          requestsPurged: sweeps.purge.requests,
          maxSeconds: round(sweeps.purge.maxSeconds, 2),
        },
      },
      detail: {
        requestsCreated: acquired.requestsCreated,
        acquireSeconds: round(acquiredSeconds),
        fillSeconds,
        batches: batchCount,
        statuses: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
        stageCounts: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.count])),
        server: privatePg ? { private: true, ...server } : server,
      },
      server: serverNight,
      topStatements,
    };
  } finally {
    clearInterval(sampler);
    stopSweeps = true;
    await sweepLoop.catch(() => {});
    await relay.close();
    await sql.end();
    sim.child.kill('SIGTERM');
    if (sim.child.exitCode === null) await once(sim.child, 'exit');
    rmSync(orgFileDir, { recursive: true, force: true });
    if (!values['keep-db']) {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${dbName} with (force)`);
      await a.end();
    }
    await privatePg?.stop();
  }
}
