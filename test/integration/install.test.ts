/**
 * docs/install.md as an operator follows it: the owner role made with exactly the statements of its
 * step 1 (no superuser, no CREATEDB, no CREATEROLE) runs `migrate` and `start` through the
 * `deploy/systemd/lrs-relay` wrapper with an environment file made from `lrs-relay.env.example`, and
 * the relay carries a request the MIS's login (granted `lrs_mis`, step 7) submitted. The systemd units
 * in deploy/systemd/ pass `systemd-analyze verify` and start every role.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/runtime.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { adminUrl, databaseUrl } from '../helpers/urls.ts';
import { waitUntil } from '../helpers/wait.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UNITS = join(ROOT, 'deploy', 'systemd');
const WRAPPER = join(UNITS, 'lrs-relay');
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

/** The ```sql block of docs/install.md step 1 (the one granting the owner its rights), as statements. */
async function ownerStatements(): Promise<string[]> {
  const doc = await readFile(join(ROOT, 'docs', 'install.md'), 'utf8');
  const block = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((b) => /ON DATABASE lrs_relay TO lrs_relay;/.test(b));
  if (!block) throw new Error('docs/install.md has no step 1 SQL block');
  return block
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

describe('installation by docs/install.md', { timeout: 180_000 }, () => {
  const name = `lrs_inst_${randomBytes(4).toString('hex')}`;
  const misLogin = `${name}_mis`;
  const password = randomBytes(12).toString('hex');
  const admin = new pg.Client({ connectionString: adminUrl() });
  let dir = '';
  let envFile = '';
  let simulator: Simulator | undefined;
  let relay: ChildProcess | undefined;

  /** A URL of the test's Postgres server for `user`. */
  function urlAs(user: string): string {
    const u = new URL(databaseUrl(name));
    u.username = user;
    u.password = password;
    return u.toString();
  }

  function lrsRelay(args: string[]) {
    return run('sh', [WRAPPER, ...args], {
      env: { PATH: process.env.PATH ?? '', LRS_RELAY_ENV_FILE: envFile, LRS_RELAY_HOME: ROOT },
      timeout: 120_000,
    });
  }

  beforeAll(async () => {
    await admin.connect();
    for (const statement of await ownerStatements()) {
      const sql = statement.replace(/\blrs_relay\b/g, name).replace(/'CHANGE-ME'/g, `'${password}'`);
      // The two group roles are server-wide: this server has them already (step 1 says so too).
      await admin.query(sql).catch((e: { code?: string }) => {
        if (!(e.code === '42710' && /CREATE ROLE lrs_(mis|support) /.test(`${sql} `))) throw e;
      });
    }
    await admin.query(`CREATE ROLE ${misLogin} LOGIN PASSWORD '${password}'`);
    await admin.query(`GRANT lrs_mis TO ${misLogin}`);
    simulator = createSimulator({ syntheticLearners: 20 });
    await simulator.listen();
    dir = await mkdtemp(join(tmpdir(), 'lrs-relay-install-'));
    envFile = join(dir, 'lrs-relay.env');
    // The example environment file with this test's values: the owner's URL, Postgres only (the
    // stricter case: the owner creates the queue schema too), the simulator.
    const example = await readFile(join(UNITS, 'lrs-relay.env.example'), 'utf8');
    const env = example
      .replace(/^DATABASE_URL=.*$/m, `DATABASE_URL=${urlAs(name)}`)
      .replace(/^REDIS_URL=.*$/m, 'QUEUE_BACKEND=postgres')
      .replace(/^SECRETS_KEY=.*$/m, `SECRETS_KEY=${randomBytes(32).toString('hex')}`)
      .replace(/^METRICS_TOKEN=.*$/m, `METRICS_TOKEN=${randomBytes(24).toString('hex')}`)
      .replace(/^LRS_BASE_URL=.*$/m, `LRS_BASE_URL=${simulator.url}\nLRS_ALLOW_INSECURE_HTTP=true`)
      .replace(/^DASHBOARD_PORT=.*$/m, 'DASHBOARD_PORT=0')
      .replace(/^LOG_LEVEL=.*$/m, 'LOG_LEVEL=warn');
    expect(env).not.toContain('CHANGE-ME');
    await writeFile(
      envFile,
      `${env}\nOUTBOX_POLL_INTERVAL_MS=200\nLRS_PASSWORD_10000001=Simulator-Pass16\nACQUIRE_ULNS_CRON="0 2 * * *"\n`,
    );
  }, 120_000);

  afterAll(async () => {
    if (relay && relay.exitCode === null) {
      relay.kill('SIGKILL');
      await once(relay, 'exit');
    }
    await simulator?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${misLogin}`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${name}`).catch(() => undefined);
    await admin.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the owner of step 1 is no superuser and may create neither databases nor roles', async () => {
    const r = await admin.query(
      'select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = $1',
      [name],
    );
    expect(r.rows[0]).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
  });

  it('that owner runs migrate and start, and the relay carries what the MIS login submits', async () => {
    const migrated = await lrsRelay(['migrate']);
    expect(migrated.stdout).toMatch(/migration\(s\) applied now/);
    expect(migrated.stdout).toMatch(/Queue schema lrs_queue/);
    await lrsRelay([
      'orgs',
      'add',
      '--name',
      'Install College',
      '--ukprn',
      '10000001',
      '--password',
      'env:LRS_PASSWORD_10000001',
      '--user',
      'install.test',
    ]);
    // Step 7: the MIS login acts for its own organisations only.
    const granted = await lrsRelay(['mis-login', 'grant', misLogin, '--org', '10000001']);
    expect(granted.stdout).toContain(misLogin);
    relay = spawn('sh', [WRAPPER, 'start', '--role', 'all'], {
      env: { PATH: process.env.PATH ?? '', LRS_RELAY_ENV_FILE: envFile, LRS_RELAY_HOME: ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The relay's log (warnings and errors: LOG_LEVEL=warn), to say why if the request never finishes.
    let stderr = '';
    relay.stdout?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    relay.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    const mis = new pg.Client({ connectionString: urlAs(misLogin) });
    await mis.connect();
    try {
      const r = await mis.query(
        `select lrs.submit_request('10000001', 'find_by_uln', 'I1', $1::jsonb, 'install.test', 'single') as id`,
        [JSON.stringify({ uln: '1026893096', givenName: 'Sample', familyName: 'Testname' })],
      );
      const id = Number(r.rows[0].id);
      await waitUntil(async () => {
        if (relay?.exitCode !== null) throw new Error(`the relay exited: ${stderr}`);
        const s = await mis.query('select status from lrs.learner_status where request_id = $1', [id]);
        return s.rows[0]?.status === 'succeeded';
      }, 60_000);
      expect(id).toBeGreaterThan(0);
    } finally {
      await mis.end();
    }
    relay.kill('SIGTERM');
    const [code] = (await once(relay, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('ships one unit per role, each starting that role after the migrations', async () => {
    const files = await readdir(UNITS);
    const target = await readFile(join(UNITS, 'lrs-relay.target'), 'utf8');
    for (const role of ROLES) {
      const file = `lrs-relay-${role}.service`;
      expect(files).toContain(file);
      const unit = await readFile(join(UNITS, file), 'utf8');
      expect(unit).toMatch(
        new RegExp(`^ExecStart=\\S+ /opt/lrs-relay/bin/lrs-relay\\.js start --role ${role}$`, 'm'),
      );
      expect(unit).toMatch(/^Requires=lrs-relay-migrate\.service$/m);
      expect(unit).toMatch(/^After=.*lrs-relay-migrate\.service/m);
      expect(unit).toMatch(/^EnvironmentFile=\/etc\/lrs-relay\/lrs-relay\.env$/m);
      expect(target).toContain(file);
    }
    const migrate = await readFile(join(UNITS, 'lrs-relay-migrate.service'), 'utf8');
    expect(migrate).toMatch(/^ExecStart=\S+ \/opt\/lrs-relay\/bin\/lrs-relay\.js migrate$/m);
  });

  it.skipIf(!existsSync(SYSTEMD_ANALYZE))('the units pass systemd-analyze verify', async () => {
    // verify checks that ExecStart's program exists: point the copies at this machine's node.
    const copies = await mkdtemp(join(tmpdir(), 'lrs-relay-units-'));
    try {
      const units = (await readdir(UNITS)).filter((f) => /\.(service|target)$/.test(f));
      for (const f of units) {
        const text = await readFile(join(UNITS, f), 'utf8');
        await writeFile(join(copies, f), text.replaceAll('/usr/bin/node ', `${process.execPath} `));
      }
      await copyFile(join(UNITS, 'lrs-relay'), join(copies, 'lrs-relay'));
      const r = await run(SYSTEMD_ANALYZE, ['verify', ...units.map((f) => join(copies, f))]).catch(
        (e: { code?: number; stdout?: string; stderr?: string }) => e,
      );
      // Unknown keys and bad values are only warnings (exit 0): any output fails the test.
      expect(r.stderr ?? '').toBe('');
      expect('code' in r ? r.code : 0).toBe(0);
    } finally {
      await rm(copies, { recursive: true, force: true });
    }
  });
});
