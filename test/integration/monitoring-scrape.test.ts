/**
 * The monitoring pack against running processes. The four roles start as separate processes, as
 * `lrs-relay start --role …` does, with two organisations added by `lrs-relay orgs add`: one whose
 * client certificate expires in 10 days, one whose password cannot be read by the relay. Each
 * process's /metrics is scraped over HTTP (the dashboard's port, the others' HEALTH_PORT, bearer
 * METRICS_TOKEN), and every series the alert rules and the Grafana dashboard name is found in the
 * process that should export it, with real values. Then `promtool test rules` runs the real rules file
 * on series written from those scrapes and shows the certificate, broken-organisation, missing-role and
 * process-down alerts firing (and no others of them firing early). Stopping the worker process makes
 * /readyz name the worker role missing. Nothing here registers or sets a metric: the test only submits
 * work through lrs.submit_request, as the MIS does.
 */
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as orgsCli } from '../../src/cli/orgs.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { parsePrometheusText, type MetricFamily } from '../../src/support/prometheus-text.ts';
import { addStaff } from '../../src/support/staff.ts';
import { createTestClient } from '../e2e/http-client.ts';
import { PASSWORD, TEST_SCRYPT_COST } from '../e2e/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { SIM_PASSWORD } from '../helpers/pipeline.ts';
import { createQueuePrefix, deletePrefixKeys } from '../helpers/redis.ts';
import { freePort, spawnRelay } from '../helpers/servers.ts';
import { redisUrl } from '../helpers/urls.ts';
import { waitUntil } from '../helpers/wait.ts';
import {
  createCertificateFolder,
  opensslDate,
  type CertificateFolder,
} from '../unit/orgs/make-certificates.ts';

const ROOT = new URL('../../', import.meta.url);
const RULES = new URL('deploy/prometheus/lrs-relay.rules.yml', ROOT).pathname;
const TOKEN = 'scrape-test-metrics-token';
const DAY_MS = 86_400_000;

function findPromtool(): string | undefined {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    return undefined;
  }
}
const promtool = findPromtool();
const SKIP_REASON = promtool
  ? ''
  : ' (SKIPPED: promtool is not installed; `bash scripts/check-monitoring.sh --install-only` installs it, as .ci/run does)';

type RoleName = 'producer' | 'worker' | 'scheduler' | 'dashboard';
const ROLES: RoleName[] = ['producer', 'worker', 'scheduler', 'dashboard'];

/** Which process must export each series deploy/ names (process_* come from every process). */
const EXPORTED_BY: Record<string, RoleName> = {
  lrs_relay_requests: 'dashboard',
  lrs_relay_open_exceptions: 'dashboard',
  lrs_relay_batches: 'dashboard',
  lrs_relay_queue_jobs: 'dashboard',
  lrs_relay_oldest_open_request_seconds: 'dashboard',
  lrs_relay_oldest_open_batch_seconds: 'dashboard',
  lrs_relay_scrape_up: 'dashboard',
  lrs_relay_certificate_expiry_days: 'dashboard',
  lrs_relay_role_processes: 'dashboard',
  lrs_relay_lrs_calls_total: 'worker',
  lrs_relay_lrs_call_duration_seconds_bucket: 'worker',
  lrs_relay_request_outcomes_total: 'worker',
  lrs_relay_organisation_available: 'worker',
  lrs_relay_reconciled_requests_total: 'scheduler',
};

interface Proc {
  role: RoleName;
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  /** Where /healthz, /readyz and /metrics answer. */
  url: string;
}

async function seriesNamedIn(file: string): Promise<string[]> {
  const text = await readFile(new URL(file, ROOT), 'utf8');
  return [...new Set(text.match(/\blrs_relay_[a-z0-9_]+/g) ?? [])].sort();
}

async function scrape(url: string): Promise<Map<string, MetricFamily>> {
  const r = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  });
  expect(r.status).toBe(200);
  return parsePrometheusText(await r.text());
}

/** Every sample of every family, by sample name. */
function samplesByName(m: Map<string, MetricFamily>): Map<string, MetricFamily['samples']> {
  const out = new Map<string, MetricFamily['samples']>();
  for (const f of m.values()) for (const s of f.samples) out.set(s.name, [...(out.get(s.name) ?? []), s]);
  return out;
}

/** A promtool input series holding the scraped value for 30 minutes, labelled with the process it came from. */
function inputSeries(role: RoleName, m: Map<string, MetricFamily>): string[] {
  const lines: string[] = [];
  for (const f of m.values()) {
    if (!f.name.startsWith('lrs_relay_')) continue;
    for (const s of f.samples) {
      if (!Number.isFinite(s.value)) continue;
      const labels = { ...s.labels, job: 'lrs-relay', instance: role };
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ');
      lines.push(`      - series: '${s.name}{${text.replace(/'/g, "''")}}'\n        values: '${s.value}x30'`);
    }
  }
  return lines;
}

interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function alertTest(name: string, evalTime: string, alerts: ExpectedAlert[]): string {
  const exp = alerts
    .map(
      (a) =>
        `          - exp_labels: ${JSON.stringify(a.labels)}\n            exp_annotations: ${JSON.stringify(a.annotations)}`,
    )
    .join('\n');
  return `      - eval_time: ${evalTime}\n        alertname: ${name}\n${alerts.length ? `        exp_alerts:\n${exp}` : '        exp_alerts: []'}`;
}

/** Runs `promtool test rules` on the real rules file; returns its output, throwing with it when a test fails. */
async function promtoolTest(dir: string, name: string, series: string[], tests: string[]): Promise<string> {
  const file = join(dir, `${name}.test.yml`);
  await writeFile(
    file,
    `rule_files:\n  - ${JSON.stringify(RULES)}\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n${series.join('\n')}\n    alert_rule_test:\n${tests.join('\n')}\n`,
  );
  try {
    const r = await promisify(execFile)(promtool!, ['test', 'rules', file]);
    return r.stdout + r.stderr;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    throw new Error(`promtool test rules ${file} failed:\n${x.stdout ?? ''}${x.stderr ?? ''}`, { cause: e });
  }
}

const certAlert = (days: number): ExpectedAlert => ({
  labels: { job: 'lrs-relay', organisation: '10000001', severity: 'warning' },
  annotations: {
    summary: 'LRS client certificate of organisation 10000001 expires within 21 days',
    description: `${days} days left. Renew it with the LRS, then \`lrs-relay orgs update --pfx …\` and \`lrs-relay orgs test\`.`,
  },
});

const brokenOrgAlert: ExpectedAlert = {
  labels: {
    job: 'lrs-relay',
    organisation: '10000002',
    problem: 'ORG_SECRET_UNREADABLE',
    severity: 'critical',
  },
  annotations: {
    summary: 'Organisation 10000002 cannot call the LRS (ORG_SECRET_UNREADABLE)',
    description:
      'A worker cannot use the LRS password or client certificate of organisation 10000002 (ORG_SECRET_UNREADABLE): its requests end ORGANISATION_UNAVAILABLE without reaching the LRS. `lrs-relay orgs test 10000002` names the problem; fix the secret or certificate (`lrs-relay orgs update`) on every worker host.',
  },
};

describe(
  'monitoring: the series deploy/ uses, scraped from the roles as separate processes',
  { timeout: 240_000 },
  () => {
    let testDb: TestDatabase;
    let sql: pg.Pool;
    let simulator: Simulator;
    let certs: CertificateFolder;
    let tmp: string;
    const prefix = createQueuePrefix();
    const procs = new Map<RoleName, Proc>();
    const scraped = new Map<RoleName, Map<string, MetricFamily>>();

    /** What the processes wrote, for a failure message. */
    const logs = () =>
      [...procs.values()]
        .map((p) => `--- ${p.role}:\n${p.output.stdout.slice(-3000)}${p.output.stderr.slice(-2000)}`)
        .join('\n');
    const proc = (role: RoleName): Proc => {
      const p = procs.get(role);
      if (!p) throw new Error(`no ${role} process`);
      return p;
    };
    const submit = async (ukprn: string, kind: string, misId: string, payload: object, mode = 'single') =>
      Number(
        (
          await sql.query<{ id: string }>(
            `select lrs.submit_request($1, $2, $3, $4::jsonb, 'monitoring.test', $5) as id`,
            [ukprn, kind, misId, JSON.stringify(payload), mode],
          )
        ).rows[0]!.id,
      );

    beforeAll(async () => {
      testDb = await createTestDatabase();
      sql = new pg.Pool({ connectionString: testDb.url, max: 3 });
      simulator = createSimulator({ syntheticLearners: 60 });
      await simulator.listen();
      certs = await createCertificateFolder();
      tmp = await mkdtemp(join(tmpdir(), 'lrs-monitoring-'));

      // A certificate that expires in 10 days (and an hour, so it reads 10 whole days all test long).
      const notAfter = new Date(Date.now() + 10 * DAY_MS + 3_600_000);
      const near = await certs.make('near', {
        cn: '10000001',
        startDate: opensslDate(new Date(Date.now() - DAY_MS)),
        endDate: opensslDate(notAfter),
      });
      const addEnv = {
        DATABASE_URL: testDb.url,
        LRS_PASSWORD_A: SIM_PASSWORD,
        LRS_PASSWORD_B: SIM_PASSWORD,
      };
      const orgs = async (args: string[]) => {
        const out: string[] = [];
        const code = await orgsCli(args, {
          stdout: (t) => out.push(t),
          stderr: (t) => out.push(t),
          stdin: Readable.from([]),
          env: addEnv,
          log: createLogger({ level: 'silent' }),
        });
        expect(code, out.join('\n')).toBe(0);
      };
      await orgs([
      'add', '--name', 'Near Expiry College', '--ukprn', '10000001', '--password', 'env:LRS_PASSWORD_A',
      '--user', 'nightly', '--key', near.keyPath, '--cert', near.certPath,
    ]); // prettier-ignore
      // Its password is in LRS_PASSWORD_B, which the relay processes are not given: it cannot be read there.
      await orgs([
      'add', '--name', 'Broken College', '--ukprn', '10000002', '--password', 'env:LRS_PASSWORD_B',
      '--user', 'nightly',
    ]); // prettier-ignore
      await addStaff(
        { pool: sql },
        { username: 'ops', password: PASSWORD, isAdmin: true, cost: TEST_SCRYPT_COST },
      );

      const env: Record<string, string> = {
        DATABASE_URL: testDb.url,
        REDIS_URL: redisUrl(),
        QUEUE_PREFIX: prefix,
        LRS_BASE_URL: simulator.url,
        LRS_ALLOW_INSECURE_HTTP: 'true',
        LRS_PASSWORD_A: SIM_PASSWORD,
        METRICS_TOKEN: TOKEN,
        OUTBOX_POLL_INTERVAL_MS: '200',
        RECONCILE_INTERVAL_MS: '1000',
        BATCH_WINDOW_MS: '0',
        BATCH_ASSEMBLE_INTERVAL_MS: '300',
        // The batch stays submitted (open) for the whole test: lrs_relay_oldest_open_batch_seconds has a value.
        BATCH_POLL_INITIAL_MS: '600000',
        SHUTDOWN_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'info',
      };
      await Promise.all(
        ROLES.map(async (role) => {
          const port = await freePort();
          const args = ['start', '--role', role, ...(role === 'dashboard' ? ['--port', String(port)] : [])];
          const child = spawnRelay(args, role === 'dashboard' ? env : { ...env, HEALTH_PORT: String(port) });
          procs.set(role, { role, ...child, url: `http://127.0.0.1:${port}` });
        }),
      );
      // Every process answers, and the dashboard sees all four roles running.
      let lastReady = '';
      await waitUntil(async () => {
        for (const p of procs.values())
          if (p.child.exitCode !== null)
            throw new Error(`the ${p.role} process exited:\n${p.output.stderr}${p.output.stdout}`);
        const ready = await fetch(`${proc('dashboard').url}/readyz`).catch(() => undefined);
        lastReady = ready ? `${ready.status} ${await ready.text()}` : 'no answer';
        return ready?.status === 200;
      }, 90_000).catch((e: unknown) => {
        throw new Error(`${String(e)}; /readyz: ${lastReady}\n${logs()}`);
      });

      const exact = simulator.admin.examples().exact!;
      const tooMany = simulator.admin.examples().tooMany!;
      const demographics = (e: typeof exact) => ({
        givenName: e.givenName,
        familyName: e.familyName,
        dateOfBirth: e.dateOfBirth,
        gender: e.gender,
        lastKnownPostCode: e.lastKnownPostCode,
      });
      const found = await submit('10000001', 'find_by_demographics', 'm-1', demographics(exact));
      const needsAction = await submit('10000001', 'find_by_demographics', 'm-2', demographics(tooMany));
      await submit('10000002', 'find_by_demographics', 'm-3', demographics(exact));
      await submit('10000001', 'verify', 'm-4', { uln: exact.uln, givenName: exact.givenName, familyName: exact.familyName }, 'batch'); // prettier-ignore
      await waitUntil(async () => {
        const r = await sql.query<{ n: number }>(
          `select (select count(*)::int from lrs.request where id in ($1, $2) and status in ('succeeded', 'needs_action'))
              + (select count(*)::int from lrs.batch where lrs_job_id is not null) as n`,
          [found, needsAction],
        );
        return r.rows[0]!.n === 3;
      }, 60_000).catch(async (e: unknown) => {
        const state = await sql.query('select id, kind, status, last_code from lrs.request order by id');
        const batches = await sql.query('select id, kind, status, lrs_job_id from lrs.batch');
        throw new Error(
          `${String(e)}: ${JSON.stringify(state.rows)} ${JSON.stringify(batches.rows)}\n${logs()}`,
        );
      });

      for (const role of ROLES) scraped.set(role, await scrape(proc(role).url));
    }, 180_000);

    afterAll(async () => {
      await Promise.all(
        [...procs.values()].map(async (p) => {
          if (p.child.exitCode === null && p.child.signalCode === null) {
            p.child.kill('SIGKILL');
            await once(p.child, 'exit');
          }
        }),
      );
      await sql?.end();
      await simulator?.close();
      await certs?.remove();
      await testDb?.drop();
      await deletePrefixKeys(prefix);
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('each process exports the series the alert rules and the Grafana dashboard name, with real values', async () => {
      const named = [
        ...new Set([
          ...(await seriesNamedIn('deploy/prometheus/lrs-relay.rules.yml')),
          ...(await seriesNamedIn('deploy/grafana/lrs-relay.json')),
        ]),
      ].sort();
      const missing: string[] = [];
      for (const name of named) {
        const roles = name.startsWith('lrs_relay_process_') ? ROLES : [EXPORTED_BY[name]];
        if (roles[0] === undefined) {
          missing.push(`${name}: no process is expected to export it (add it to EXPORTED_BY)`);
          continue;
        }
        for (const role of roles as RoleName[]) {
          const samples = samplesByName(scraped.get(role)!).get(name) ?? [];
          if (samples.length === 0) missing.push(`${name}: no sample in the ${role} process's /metrics`);
        }
      }
      expect(missing).toEqual([]);

      const dashboard = samplesByName(scraped.get('dashboard')!);
      const worker = samplesByName(scraped.get('worker')!);
      const value = (
        samples: Map<string, MetricFamily['samples']>,
        name: string,
        labels: Record<string, string>,
      ) =>
        (samples.get(name) ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));

      // The certificate shows 10 days (and a little: it expires in 10 days and an hour).
      const days = value(dashboard, 'lrs_relay_certificate_expiry_days', { organisation: '10000001' });
      expect(days).toHaveLength(1);
      expect(Math.floor(days[0]!.value)).toBe(10);
      // The broken organisation has no certificate to watch; the worker cannot use its password.
      expect(value(dashboard, 'lrs_relay_certificate_expiry_days', { organisation: '10000002' })).toEqual([]);
      expect(value(worker, 'lrs_relay_organisation_available', { organisation: '10000002' })).toEqual([
        expect.objectContaining({
          labels: { organisation: '10000002', problem: 'ORG_SECRET_UNREADABLE' },
          value: 0,
        }),
      ]);
      expect(value(worker, 'lrs_relay_organisation_available', { organisation: '10000001' })).toEqual([
        expect.objectContaining({ labels: { organisation: '10000001', problem: '' }, value: 1 }),
      ]);
      for (const role of ROLES)
        expect(value(dashboard, 'lrs_relay_role_processes', { role })[0]?.value, role).toBe(1);
      // The LRS calls the worker made, and what the requests ended as.
      expect(
        value(worker, 'lrs_relay_lrs_calls_total', { operation: 'learnerByDemographics' }).reduce(
          (n, s) => n + s.value,
          0,
        ),
      ).toBeGreaterThanOrEqual(2);
      expect(
        value(worker, 'lrs_relay_request_outcomes_total', { status: 'needs_action', code: 'WSRC0002' })[0]
          ?.value,
      ).toBe(1);
      expect(
        value(dashboard, 'lrs_relay_open_exceptions', { status: 'needs_action', code: 'WSRC0002' })[0]?.value,
      ).toBe(1);
      expect(
        value(dashboard, 'lrs_relay_oldest_open_batch_seconds', { kind: 'verify' })[0]?.value,
      ).toBeGreaterThanOrEqual(0);
      expect(value(dashboard, 'lrs_relay_scrape_up', { source: 'postgres' })[0]?.value).toBe(1);
    });

    it('/readyz of the dashboard and of a worker-only process say which roles run where', async () => {
      for (const role of ['dashboard', 'worker'] as const) {
        const r = await fetch(`${proc(role).url}/readyz`);
        const body = (await r.json()) as {
          ok: boolean;
          roles: { missing: string[]; processes: { roles: string[]; pid: number }[] };
        };
        expect(r.status, role).toBe(200);
        expect(body.roles.missing).toEqual([]);
        // Each role runs in its own process: the one this test started for it.
        for (const p of procs.values())
          expect(body.roles.processes).toContainEqual(
            expect.objectContaining({ roles: [p.role], pid: p.child.pid }),
          );
      }
      expect((await fetch(`${proc('worker').url}/healthz`)).status).toBe(200);
    });

    it('bull-board shows the workers that run', async () => {
      const ops = createTestClient(proc('dashboard').url);
      expect((await ops.logIn('ops', PASSWORD)).status).toBe(303);
      const ids = (await sql.query<{ id: number }>('select id from lrs.organisation order by id')).rows;
      const workerPid = proc('worker').child.pid;
      for (const queue of [`single-${ids[0]!.id}`, 'batch']) {
        const r = await ops.get(`/queues/board/api/queues/${queue}/workers`, { accept: 'application/json' });
        expect(r.status, queue).toBe(200);
        const workers = (await r.json()) as
          { name: string | null }[] | { workers?: { name: string | null }[] };
        const list = Array.isArray(workers) ? workers : (workers.workers ?? []);
        expect(
          list.map((w) => w.name),
          queue,
        ).toContainEqual(expect.stringMatching(new RegExp(`:${workerPid}$`)));
      }
    });

    it(`promtool: the certificate and broken-organisation alerts fire on the scraped series${SKIP_REASON}`, async (ctx) => {
      if (!promtool) ctx.skip();
      const series = ROLES.flatMap((role) => inputSeries(role, scraped.get(role)!));
      await promtoolTest(tmp, 'running', series, [
        alertTest('LrsRelayCertificateExpiring', '10m', [certAlert(10)]),
        alertTest('LrsRelayCertificateExpiringSoon', '10m', []),
        alertTest('LrsRelayOrganisationUnavailable', '3m', []),
        alertTest('LrsRelayOrganisationUnavailable', '10m', [brokenOrgAlert]),
        alertTest('LrsRelayRoleMissing', '10m', []),
      ]);
    });

    it(`stopping the worker: /readyz names the worker role missing, and promtool fires LrsRelayRoleMissing${SKIP_REASON}`, async (ctx) => {
      const worker = proc('worker');
      worker.child.kill('SIGTERM');
      await once(worker.child, 'exit');
      const r = await fetch(`${proc('dashboard').url}/readyz`);
      const body = (await r.json()) as {
        ok: boolean;
        checks: { roles: { ok: boolean; error: string } };
        roles: { missing: string[] };
      };
      expect(r.status).toBe(503);
      expect(body.roles.missing).toEqual(['worker']);
      expect(body.checks.roles).toEqual({ ok: false, error: 'no live process runs the worker role' });
      const afterStop = await scrape(proc('dashboard').url);
      expect(samplesByName(afterStop).get('lrs_relay_role_processes')).toContainEqual(
        expect.objectContaining({ labels: { role: 'worker' }, value: 0 }),
      );
      // Prometheus's own `up` for the stopped process: its /metrics no longer answers.
      const workerUp = await fetch(`${worker.url}/metrics`).then(
        () => 1,
        () => 0,
      );
      expect(workerUp).toBe(0);

      if (!promtool) ctx.skip();
      const series = [
        ...(['producer', 'scheduler'] as const).flatMap((role) => inputSeries(role, scraped.get(role)!)),
        ...inputSeries('dashboard', afterStop),
        `      - series: 'up{job="lrs-relay", instance="worker"}'\n        values: '${workerUp}x30'`,
      ];
      await promtoolTest(tmp, 'worker-stopped', series, [
        alertTest('LrsRelayRoleMissing', '2m', []),
        alertTest('LrsRelayRoleMissing', '10m', [
          {
            labels: { job: 'lrs-relay', role: 'worker', severity: 'critical' },
            annotations: {
              summary: 'No lrs-relay process runs the worker role',
              description:
                'No process running the worker role has recorded a heartbeat for over 3 minutes: its work waits (nothing is lost). /readyz lists which roles run where; start `lrs-relay start --role worker` (or its service) again, and read its log for why it stopped.',
            },
          },
        ]),
        alertTest('LrsRelayProcessDown', '10m', [
          {
            labels: { instance: 'worker', job: 'lrs-relay', severity: 'critical' },
            annotations: {
              summary: 'Prometheus cannot scrape lrs-relay at worker',
              description:
                'The process at worker has not answered /metrics for 5 minutes: it is stopped, hung, or METRICS_TOKEN does not match. Check its service, then /healthz.',
            },
          },
        ]),
        // The certificate still shows (the dashboard reads it from Postgres).
        alertTest('LrsRelayCertificateExpiring', '10m', [certAlert(10)]),
      ]);
    });
  },
);
