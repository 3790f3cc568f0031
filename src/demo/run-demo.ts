/**
 * The demo, end to end in one process: services up, a fresh demo database, the simulator, every relay
 * role, a sample MIS whose trigger queues the work, a progress bar until every request is terminal,
 * then the report. `runDemo` closes everything it opened, also when it fails.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { startRelay, type Relay, type Role } from '../runtime.ts';
import { addStaff } from '../support/staff.ts';
import {
  createSimulator,
  DEFAULT_ORGANISATION,
  parseLearnerRows,
  type Simulator,
} from '../simulator/index.ts';
import {
  addDemoOrganisation,
  createSampleMis,
  DEMO_DATABASE_NAME,
  DEMO_PASSWORD_ENV,
  recreateDemoDatabase,
} from './database.ts';
import { generatePopulation } from './population.ts';
import { waitUntilSettled, type ProgressSink } from './progress.ts';
import { ensureServices } from './services.ts';
import { MisUlnListener } from './mis-listener.ts';
import { insertBacklog, insertStudents, moveSomeStudents } from './students.ts';
import { acquireUlns, nightlyRunKey } from '../batches/acquire-ulns.ts';
import { summariseRequests, type DemoReport } from './summary.ts';
import type { QueueBackendKind } from '../queues/catalogue.ts';
import { createQueueConnection } from '../queues/store.ts';

export interface DemoOptions {
  /** Students to enrol (default 2,000). */
  learners?: number;
  /** Seed for the generated people (default 1). */
  seed?: number;
  /** Environment read for DATABASE_URL, REDIS_URL and the relay's tuning (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The demo database's name on the DATABASE_URL server (default lrs_relay_demo); dropped and recreated. */
  databaseName?: string;
  /** BullMQ key prefix (default `demo-<random>`, unique per run). */
  queuePrefix?: string;
  /** Where the queues live (default QUEUE_BACKEND from `env`, else redis); with postgres no Redis is needed. */
  backend?: QueueBackendKind;
  /** Run scripts/ensure-services.sh when Postgres or Redis (when used) do not answer (default true). */
  ensureServices?: boolean;
  /** Progress bar destination (default none). */
  progress?: ProgressSink | null;
  /** Lines about setup steps (default none). */
  note?: (line: string) => void;
  /** The relay's logger; default a file under tmp/ (see `logDir`). */
  log?: Logger;
  /** Where the default log file goes (default ./tmp). */
  logDir?: string;
  /** Give up when requests are still open after this long, ms (default 300,000). */
  timeoutMs?: number;
  /** Tag on connection names (tests find leaks by it; default the queue prefix). */
  connectionTag?: string;
  /** Also run the dashboard role (the CLI does with --keep: it is only useful while the demo runs). */
  dashboard?: boolean;
  /** Called with the report while everything still runs (`--keep` waits here for Ctrl-C). */
  beforeShutdown?: (report: DemoReport) => Promise<void>;
}

/** Relay tuning for a demo: the whole mix in seconds, on a laptop. Environment values win. */
const DEMO_TUNING: Record<string, string> = {
  WORKER_CONCURRENCY: '64',
  RATE_LIMIT_PER_SECOND: '100000',
  OUTBOX_POLL_INTERVAL_MS: '250',
  LRS_TIMEOUT_MS: '10000',
  SHUTDOWN_TIMEOUT_MS: '5000',
  DASHBOARD_PORT: '0',
  // The demo shows the single-call path (seconds, not batch-job minutes): with the whole intake inserted
  // at once, `auto` would otherwise hand it to the batch assembler.
  AUTO_BATCH_THRESHOLD: '10000000',
  // The nightly acquisition's batches, in seconds rather than the LRS's minutes (the simulator's batch
  // clock is shortened to match).
  BATCH_WINDOW_MS: '500',
  BATCH_ASSEMBLE_INTERVAL_MS: '250',
  BATCH_POLL_INITIAL_MS: '250',
  BATCH_POLL_MAX_MS: '1000',
  BATCH_SWEEP_INTERVAL_MS: '2000',
};

/** The backlog the demo's nightly acquisition sends: 5% of the intake, 20 to 100 students. */
export function backlogSizeFor(learners: number): number {
  return Math.min(100, Math.max(20, Math.round(learners / 20)));
}

function openLogFile(dir: string): { log: Logger; file: string; stream: WriteStream } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `demo-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const stream = createWriteStream(file, { flags: 'a' });
  return { log: createLogger({ level: 'info', name: 'lrs-relay demo' }, stream), file, stream };
}

/** Starts every role (the dashboard only when asked); without the dashboard when it cannot start. */
async function startAllRoles(
  start: (roles: Role[]) => Promise<Relay>,
  log: Logger,
  dashboard: boolean,
): Promise<Relay> {
  const core: Role[] = ['producer', 'worker', 'scheduler'];
  if (!dashboard) return start(core);
  try {
    return await start([...core, 'dashboard']);
  } catch (e) {
    log.warn({ err: e }, 'demo: dashboard role did not start; running without it');
    return start(core);
  }
}

/**
 * A throwaway admin login for the demo database's dashboard (random password, shown in the report),
 * granted the demo organisation so a newcomer sees its learners and can resolve possible matches.
 */
export async function addDemoStaff(
  pool: pg.Pool,
  log: Logger,
): Promise<{ username: string; password: string } | undefined> {
  const login = { username: 'demo', password: randomBytes(12).toString('base64url') };
  try {
    const orgs = await pool.query<{ id: number }>('select id from lrs.organisation order by id');
    await addStaff({ pool }, { ...login, isAdmin: true, organisationIds: orgs.rows.map((r) => r.id) });
    return login;
  } catch (e) {
    log.warn({ err: e }, 'demo: could not create the dashboard login');
    return undefined;
  }
}

/** Runs the demo and returns its report. */
export async function runDemo(o: DemoOptions = {}): Promise<DemoReport> {
  const env = o.env ?? process.env;
  const learners = o.learners ?? 2_000;
  const note = o.note ?? (() => {});
  const prefix = o.queuePrefix ?? `demo-${randomBytes(4).toString('hex')}`;
  const tag = o.connectionTag ?? prefix;
  const base = loadConfig(o.backend ? { ...env, QUEUE_BACKEND: o.backend } : env);
  const isPostgresQueues = base.QUEUE_BACKEND === 'postgres';
  if (o.ensureServices ?? true)
    await ensureServices({
      databaseUrl: base.DATABASE_URL,
      redisUrl: isPostgresQueues || base.REDIS_CLUSTER_NODES ? undefined : base.REDIS_URL,
      note,
    });

  const databaseName = o.databaseName ?? DEMO_DATABASE_NAME;
  note(`creating database ${databaseName} (dropped and recreated on every run) and migrating it`);
  if (isPostgresQueues) note(`queues in Postgres (schema ${base.QUEUE_SCHEMA}); no Redis is used`);
  const databaseUrl = await recreateDemoDatabase(
    base.DATABASE_URL,
    databaseName,
    isPostgresQueues ? { queueSchema: base.QUEUE_SCHEMA } : {},
  );

  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    const fileLog = o.log ? undefined : openLogFile(o.logDir ?? 'tmp');
    if (fileLog)
      closers.push(async () => {
        fileLog.stream.end();
        await once(fileLog.stream, 'close');
      });
    const log = o.log ?? (fileLog as { log: Logger }).log;

    const org = DEFAULT_ORGANISATION;
    const ukprn = org.ukprn ?? '10000001';
    // The LRS register the students meet: the simulator's seeded learners plus the demo's own.
    const simLearners = 200;
    const probe = createSimulator({ syntheticLearners: simLearners });
    const population = generatePopulation(
      learners,
      o.seed ?? 1,
      probe.admin.examples(),
      backlogSizeFor(learners),
    );
    const simulator: Simulator = createSimulator({
      syntheticLearners: simLearners,
      learners: parseLearnerRows(population.lrsLearners),
      batchTiming: { inProgressAfterMs: 250, doneAfterMs: 1_000 },
    });
    await simulator.listen();
    closers.push(() => simulator.close());
    note(`LRS simulator listening on ${simulator.url}`);

    const concurrency = Number(env.WORKER_CONCURRENCY ?? DEMO_TUNING.WORKER_CONCURRENCY);
    await addDemoOrganisation(databaseUrl, { ukprn, concurrency });
    const config = loadConfig({
      ...DEMO_TUNING,
      ...env,
      QUEUE_BACKEND: base.QUEUE_BACKEND,
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: prefix,
      LRS_BASE_URL: simulator.url,
      LRS_ALLOW_INSECURE_HTTP: 'true',
      LRS_LEARNER_SERVICE_URL: undefined,
      LRS_LEARNER_SERVICE_R9_URL: undefined,
      LRS_EXTERNAL_SERVICE_URL: undefined,
    });
    const secretEnv = { [DEMO_PASSWORD_ENV]: org.password };
    // Runs after the relay has closed (closers run in reverse): the run's queues leave nothing behind.
    closers.push(async () => {
      const queues = createQueueConnection({ config, tag: `${tag}:cleanup` });
      await queues.deleteAll().finally(() => queues.close());
    });
    const relay = await startAllRoles(
      (roles) => startRelay({ config, roles, log, env: secretEnv, connectionTag: tag }),
      log,
      o.dashboard ?? false,
    );
    closers.push(() => relay.close());

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, application_name: `${tag} demo mis` });
    closers.push(() => pool.end());
    await createSampleMis(pool);
    // The MIS hears each finished request (NOTIFY lrs_outcome) and writes the ULNs back to mis.students.
    const misListener = new MisUlnListener({ databaseUrl, applicationName: `${tag} demo mis listener` });
    closers.push(() => misListener.stop());
    await misListener.start();

    // Last night's run first: the students enrolled before lrs-relay was installed, found through the
    // MIS's view and sent in batches by the same acquisition the scheduler runs every night. It reads
    // the view before the day's students arrive, so it sends the backlog only.
    await insertBacklog(pool, { ukprn, students: population.backlog });
    const nightly = await acquireUlns({
      pool: relay.database.pool,
      log,
      view: config.ACQUIRE_ULNS_VIEW,
      runKey: nightlyRunKey(Date.now()),
      chunkSize: config.ACQUIRE_ULNS_CHUNK,
    });
    const nightlyRequests = nightly.skipped ? 0 : nightly.requestsCreated;
    note(
      `nightly ULN acquisition: ${nightlyRequests} of ${population.backlog.length} students enrolled before lrs-relay, sent in batches`,
    );

    note(`enrolling ${learners} students in mis.students`);
    const startedAt = Date.now();
    let producing = true;
    const stop = new AbortController();
    const production = (async () => {
      try {
        await insertStudents(pool, { ukprn, students: population.students });
        await moveSomeStudents(pool, population.students);
      } catch (e) {
        stop.abort(e); // an insert failure ends the wait at once instead of after the timeout
        throw e;
      } finally {
        producing = false;
      }
    })();
    const settled = waitUntilSettled(pool, {
      sink: o.progress ?? null,
      startedAt,
      timeoutMs: o.timeoutMs ?? 300_000,
      isProducing: () => producing,
      signal: stop.signal,
    });
    const [produced, waited] = await Promise.allSettled([production, settled]);
    if (produced.status === 'rejected') throw produced.reason;
    if (waited.status === 'rejected') throw waited.reason;
    const seconds = (Date.now() - startedAt) / 1000;
    const misUlns = await misListener.stop();

    const counts = await summariseRequests(pool);
    const stats = simulator.admin.stats();
    const submitted = await pool.query<{ n: number }>(
      'select count(distinct mis_learner_id)::int as n from lrs.request',
    );
    const batches = await pool.query<{ n: number }>('select count(*)::int as n from lrs.batch');
    const dashboardUrl = relay.dashboardUrl;
    const dashboardLogin = dashboardUrl ? await addDemoStaff(pool, log) : undefined;
    const report: DemoReport = {
      summary: {
        ...counts,
        seconds: Math.round(seconds * 10) / 10,
        registrations: stats.registrations,
        duplicateRegistrations: stats.duplicateRegistrations,
      },
      students: population.students.length,
      notSubmitted: population.students.length + population.backlog.length - (submitted.rows[0]?.n ?? 0),
      nightly: { requests: nightlyRequests, batches: batches.rows[0]?.n ?? 0 },
      ulnsWrittenBack: misUlns.ulnsWritten,
      outcomeNotifications: misUlns.notifications,
      databaseUrl,
      dashboardUrl,
      dashboardLogin,
      logFile: fileLog?.file,
    };
    if (o.beforeShutdown) await o.beforeShutdown(report);
    return report;
  } finally {
    await closeAll();
  }
}
