/**
 * `lrs-relay orgs` end to end against a real Postgres and the simulator configured with several
 * organisations: add/list/show/update, every verdict of `orgs test`, disable refusing new work through
 * lrs.submit_request, and a sweep proving no secret reaches output, logs, errors or the database.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/orgs.ts';
import { createLogger } from '../../src/log.ts';
import { createSimulator } from '../../src/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createCertificateFolder, type CertificateFolder } from '../unit/orgs/make-certificates.ts';
import { ourWsdl, unqualifyJobId } from '../unit/lrs/wsdl-copies.ts';

const SECRETS_KEY = '0123456789abcdef'.repeat(4);
const PW = {
  A: 'Alpha-Password-1',
  B: 'Bravo-Password-2',
  C: 'Charl-Password-3',
  E: 'Echo--Password-5',
  wrongE: 'Wrong-Password-9',
} as const;
const PFX_PASSPHRASE = 'pfx-secret-passphrase';
const ALL_SECRETS = [...Object.values(PW), PFX_PASSPHRASE];

describe('lrs-relay orgs', () => {
  let testDb: TestDatabase;
  let pool: pg.Pool;
  let sim: ReturnType<typeof createSimulator>;
  let certs: CertificateFolder;
  let env: Record<string, string>;
  const transcript: string[] = [];
  const logLines: string[] = [];
  const log = createLogger(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _e, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    }),
  );

  async function cli(args: string[], o: { stdin?: string; env?: Record<string, string> } = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      stdin: Readable.from(o.stdin === undefined ? [] : [Buffer.from(o.stdin)]),
      env: o.env ?? env,
      log,
    });
    transcript.push(...out, ...err);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    pool = new pg.Pool({ connectionString: testDb.url, max: 2, application_name: 'orgs-cli-test' });
    certs = await createCertificateFolder();
    sim = createSimulator({
      syntheticLearners: 10,
      organisations: [
        { ukprn: '10000001', password: PW.A, operations: ['*'] },
        { organisationRef: 'ORGB02', password: PW.B, operations: ['*'] },
        { ukprn: '10000003', password: PW.C, operations: ['learnerByDemographics'] },
        { ukprn: '10000005', password: PW.E, operations: ['*'] },
        { ukprn: '10000009', password: PW.A, operations: ['*'] },
      ],
    });
    await sim.listen();
    env = {
      DATABASE_URL: testDb.url,
      LRS_BASE_URL: sim.url,
      LRS_ALLOW_INSECURE_HTTP: 'true',
      LRS_TIMEOUT_MS: '5000',
      SECRETS_KEY,
      LRS_PASSWORD_A: PW.A,
      LRS_PASSWORD_E: PW.wrongE,
      PFX_PASS: PFX_PASSPHRASE,
    };
  });

  afterAll(async () => {
    await sim?.close();
    await pool?.end();
    await certs?.remove();
    await testDb?.drop();
  });

  it('adds organisations with env, stdin (encrypted) and file password references', async () => {
    const a = await cli([
      'add',
      '--name',
      'Alpha College',
      '--ukprn',
      '10000001',
      '--password',
      'env:LRS_PASSWORD_A',
      '--user',
      'nightly-a',
      '--concurrency',
      '4',
      '--rate-limit',
      '10',
    ]);
    expect(a).toMatchObject({ code: 0 });
    expect(a.out).toContain('Added organisation 1: 10000001 (Alpha College)');

    const b = await cli(
      ['add', '--name', 'Bravo School', '--org-ref', 'ORGB02', '--password', 'stdin', '--user', 'nightly-b'],
      { stdin: `${PW.B}\n` },
    );
    expect(b.code).toBe(0);

    const pwFile = `${certs.dir}/charlie-password`;
    await writeFile(pwFile, `${PW.C}\n`);
    const c = await cli([
      'add',
      '--name',
      'Charlie Academy',
      '--ukprn',
      '10000003',
      '--password',
      `file:${pwFile}`,
      '--user',
      'nightly-c',
    ]);
    expect(c.code).toBe(0);

    const list = await cli(['list']);
    expect(list.out).toMatch(/10000001\s+Alpha College\s+nightly-a\s+4\s+10\s+env:LRS_PASSWORD_A/);
    expect(list.out).toContain('stored encrypted');
    expect(list.out).toContain(`file:${pwFile}`);
    const show = await cli(['show', 'ORGB02', '--json']);
    expect(JSON.parse(show.out)).toMatchObject({
      organisationRef: 'ORGB02',
      password: 'stored encrypted',
      rateLimitPerSecond: null,
      status: 'enabled',
    });
  });

  it('refuses a password typed in clear, saying how to pass it, and stores nothing', async () => {
    const r = await cli(['add', '--name', 'Typo', '--ukprn', '10000009', '--password', PW.A, '--user', 'x']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--password env:NAME');
    expect(r.err).not.toContain(PW.A);
    const { rows } = await pool.query(
      "select count(*)::int as n from lrs.organisation where ukprn = '10000009'",
    );
    expect(rows[0].n).toBe(0);
  });

  it('refuses stdin without SECRETS_KEY, and bad identifiers with every problem listed', async () => {
    const noKey = { ...env, SECRETS_KEY: '' };
    const r = await cli(['add', '--name', 'N', '--ukprn', '10000008', '--password', 'stdin', '--user', 'x'], {
      stdin: PW.A,
      env: noKey,
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain('SECRETS_KEY is not set');
    const bad = await cli([
      'add',
      '--name',
      'N',
      '--ukprn',
      '123',
      '--org-ref',
      'ABC',
      '--password',
      'env:X',
      '--user',
      'x'.repeat(36),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('exactly one of --ukprn or --org-ref');
    expect(bad.err).toContain('--user (the LRS UserName) must be 1–35 characters');
  });

  it('orgs test: credentials work for each organisation (env, encrypted and file passwords)', async () => {
    for (const org of ['10000001', 'ORGB02']) {
      const r = await cli(['test', org]);
      expect(r.out).toContain('OK: credentials work: the LRS answered WSRC0004');
      expect(r.code).toBe(0);
    }
    const json = await cli([
      'test',
      '1',
      '--json',
      '--uln',
      '1174112637',
      '--given',
      'Nobody',
      '--family',
      'Known',
      '--user',
      'support.person',
    ]);
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, userName: 'support.person' });
    // Each test call is audited with its organisation and the person behind it.
    const { rows } = await pool.query(
      `select o.ukprn, a.user_name, a.operation, a.code from lrs.audit a join lrs.organisation o on o.id = a.organisation_id
        where a.user_name = 'support.person'`,
    );
    expect(rows).toEqual([
      {
        ukprn: '10000001',
        user_name: 'support.person',
        operation: 'learnerByUln',
        code: expect.stringMatching(/^WSRC/),
      },
    ]);
  });

  it('lrs-relay call --org uses the organisation from the database and audits the call', async () => {
    const input = `${certs.dir}/call-input.json`;
    await writeFile(
      input,
      JSON.stringify({ uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'bin/lrs-relay.js',
        'call',
        'learnerByUln',
        '--org',
        '10000001',
        '--user',
        'call.person',
        '--input',
        input,
        '--json',
      ],
      { env: { PATH: process.env.PATH ?? '', ...env } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ codeSource: 'lrs', operation: 'learnerByUln' });
    const { rows } = await pool.query(
      `select o.ukprn, a.operation from lrs.audit a join lrs.organisation o on o.id = a.organisation_id where a.user_name = 'call.person'`,
    );
    expect(rows).toEqual([{ ukprn: '10000001', operation: 'learnerByUln' }]);
  });

  it("orgs test: checks the services' WSDLs too, and a difference warns without failing the test", async () => {
    const same = await cli(['test', '10000001']);
    expect(same.code).toBe(0);
    expect(same.out).toContain("Contract check of the services' WSDLs");
    expect(same.out).toContain('  Result: every WSDL matches our message descriptions.');
    expect(same.err).not.toContain('WSDL');

    // ExternalService.svc moved to a host whose WSDL has jobId unqualified; the test call goes to the simulator.
    const changed = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(unqualifyJobId(ourWsdl('externalService')));
    });
    await new Promise<void>((resolve) => changed.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(changed.address() as AddressInfo).port}/ExternalService.svc`;
      const r = await cli(['test', '10000001'], { env: { ...env, LRS_EXTERNAL_SERVICE_URL: url } });
      expect(r.out).toContain('OK: credentials work');
      expect(r.out).toContain(
        '    DIFFERENT GetAchievementBatchJob request GetAchievementBatchJob/jobId: namespace: ours qualified in http://api.lrs.qcf.gov.uk/services, theirs unqualified',
      );
      expect(r.err).toContain("warning: the LRS WSDLs differ from lrs-relay's message descriptions");
      expect(r.code).toBe(0);
      const json = await cli(['test', '10000001', '--json'], {
        env: { ...env, LRS_EXTERNAL_SERVICE_URL: url },
      });
      expect(JSON.parse(json.out)).toMatchObject({ ok: true, wsdl: { ok: false } });
      expect(json.code).toBe(0);
    } finally {
      await new Promise<void>((resolve) => changed.close(() => resolve()));
    }
  });

  it('orgs test: permission refused (WSEC0006)', async () => {
    const r = await cli(['test', '10000003']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED (permission): permission refused (WSEC0006)');
  });

  it('orgs test: organisation unknown (WSEC0003) and wrong password (WSEC0005)', async () => {
    expect(
      (
        await cli([
          'add',
          '--name',
          'Delta',
          '--ukprn',
          '10000004',
          '--password',
          'env:LRS_PASSWORD_A',
          '--user',
          'x',
        ])
      ).code,
    ).toBe(0);
    const unknown = await cli(['test', '10000004']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('FAILED (organisation_unknown): organisation unknown (WSEC0003)');

    expect(
      (
        await cli([
          'add',
          '--name',
          'Echo',
          '--ukprn',
          '10000005',
          '--password',
          'env:LRS_PASSWORD_E',
          '--user',
          'x',
        ])
      ).code,
    ).toBe(0);
    const wrong = await cli(['test', '10000005']);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('FAILED (password): password refused (WSEC0005)');
  });

  it('orgs test: vendor id 0 fails the test saying where the id comes from, except against the simulator', async () => {
    const simulator = await cli(['test', '10000001']);
    expect(simulator.out).not.toContain('vendor id');
    expect(simulator.err).not.toContain('vendor id');
    // Not the simulator: any https:// endpoint (the call itself fails too; the vendor id is reported beside it).
    const real = await cli(['test', '10000001'], { env: { ...env, LRS_BASE_URL: 'https://ws.lrs.invalid' } });
    expect(real.code).toBe(1);
    expect(real.out).toContain(
      'FAILED (vendor id): R9 calls of 10000001 (Alpha College) are refused: vendor id is 0 (not set) and https://ws.lrs.invalid/LearnerServiceR9.svc is not the simulator: the LRS issues a vendor id to each software supplier',
    );
    expect(real.out).toContain('`lrs-relay orgs update 10000001 --vendor-id N`');
    expect(real.out).toContain('LRS_VENDOR_ID');
    const json = await cli(['test', '10000001', '--json'], {
      env: { ...env, LRS_BASE_URL: 'https://ws.lrs.invalid' },
    });
    expect(JSON.parse(json.out)).toMatchObject({
      r9VendorId: { ok: false, code: 'VENDOR_ID_NOT_SET', vendorId: 0 },
    });
  });

  it('orgs test: LRS maintenance (HTTP 405 page)', async () => {
    sim.admin.setFaults({ maintenance: true });
    try {
      const r = await cli(['test', '10000001']);
      expect(r.code).toBe(1);
      expect(r.out).toContain('FAILED (maintenance)');
    } finally {
      sim.admin.setFaults({ maintenance: false });
    }
  });

  it('orgs test: network failure on a closed port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await cli(['test', '10000001'], { env: { ...env, LRS_BASE_URL: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED (network)');
  });

  it('orgs test: a client certificate that cannot be loaded is reported before any call', async () => {
    const cert = await certs.make('foxtrot', { pfxPassphrase: PFX_PASSPHRASE });
    const add = await cli([
      'add',
      '--name',
      'Foxtrot',
      '--ukprn',
      '10000006',
      '--password',
      'env:LRS_PASSWORD_A',
      '--user',
      'x',
      '--pfx',
      cert.pfxPath ?? '',
      '--passphrase',
      'env:PFX_PASS',
    ]);
    expect(add.code).toBe(0);
    const r = await cli(['test', '10000006'], { env: { ...env, PFX_PASS: 'no-longer-right' } });
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED (certificate): TLS/certificate failed before any call');
    expect(r.out).toContain('env:PFX_PASS');
    const { rows } = await pool.query(
      "select certificate_not_after from lrs.organisation where ukprn = '10000006'",
    );
    expect(rows[0].certificate_not_after).toBeInstanceOf(Date);
  });

  it('accepts a legacy PFX (openssl pkcs12 -export -legacy, RC2/3DES) at add time, checks included', async () => {
    const cert = await certs.make('legacy', { pfxPassphrase: PFX_PASSPHRASE, pfxLegacy: true });
    const args = (passphrase: string, ukprn: string) => [
      'add',
      '--name',
      'Legacy',
      '--ukprn',
      ukprn,
      '--password',
      'env:LRS_PASSWORD_A',
      '--user',
      'x',
      '--pfx',
      cert.pfxPath ?? '',
      '--passphrase',
      passphrase,
    ];
    const wrong = await cli(args('env:LRS_PASSWORD_A', '10000009'));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('the passphrase (env:LRS_PASSWORD_A) does not open the PFX');
    const r = await cli(args('env:PFX_PASS', '10000009'), { env: { ...env, PFX_PASS: PFX_PASSPHRASE } });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Added organisation \d+: 10000009 \(Legacy\)/);
    const { rows } = await pool.query(
      "select certificate_not_after from lrs.organisation where ukprn = '10000009'",
    );
    expect(rows[0].certificate_not_after).toBeInstanceOf(Date);
  });

  it('refuses a certificate with a wrong passphrase at add time', async () => {
    const cert = await certs.make('golf', { pfxPassphrase: PFX_PASSPHRASE });
    const r = await cli([
      'add',
      '--name',
      'Golf',
      '--ukprn',
      '10000007',
      '--password',
      'env:LRS_PASSWORD_A',
      '--user',
      'x',
      '--pfx',
      cert.pfxPath ?? '',
      '--passphrase',
      'env:LRS_PASSWORD_A',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'organisation 10000007 (Golf): the passphrase (env:LRS_PASSWORD_A) does not open the PFX',
    );
  });

  it('disable stops new work with a clear reason through lrs.submit_request; enable restores it', async () => {
    const payload = JSON.stringify({ uln: '1026893096', givenName: 'Sample', familyName: 'Testname' });
    const submit = () =>
      pool.query("select lrs.submit_request('10000001', 'find_by_uln', 'mis-1', $1::jsonb, 'clerk')", [
        payload,
      ]);
    await submit();
    const r = await cli(['disable', '10000001', '--reason', 'contract ended 2026-07-31']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 open request(s) stay visible');
    await expect(submit()).rejects.toThrow('organisation 10000001 is disabled: contract ended 2026-07-31');
    const { rows } = await pool.query(
      "select count(*)::int as n from lrs.request r join lrs.organisation o on o.id = r.organisation_id where o.ukprn = '10000001'",
    );
    expect(rows[0].n).toBe(1);
    expect((await cli(['disable', '10000001'])).code).toBe(2);
    expect((await cli(['list'])).out).toContain('disabled: contract ended 2026-07-31');
    expect((await cli(['enable', '10000001'])).code).toBe(0);
    await submit();
  });

  it('update changes limits and the password reference', async () => {
    const r = await cli(
      ['update', 'ORGB02', '--rate-limit', '5', '--concurrency', '2', '--password', 'stdin'],
      { stdin: PW.B },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse((await cli(['show', 'ORGB02', '--json'])).out)).toMatchObject({
      rateLimitPerSecond: 5,
      concurrencyShare: 2,
    });
    expect((await cli(['test', 'ORGB02'])).code).toBe(0);
  });

  it('works through bin/lrs-relay.js with DATABASE_URL', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/lrs-relay.js', 'orgs', 'list', '--json'],
      {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: testDb.url, LOG_LEVEL: 'silent' },
      },
    );
    transcript.push(stdout);
    const list = JSON.parse(stdout) as { ukprn: string | null; password: string }[];
    expect(list.map((o) => o.password)).toContain('env:LRS_PASSWORD_A');
  });

  it('no secret appears in any output, log line, error message or organisation column', async () => {
    expect(transcript.length).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(0);
    const { rows } = await pool.query<{ row: string }>(
      'select row_to_json(o)::text as row from lrs.organisation o',
    );
    const haystacks = {
      output: transcript.join('\n'),
      logs: logLines.join(''),
      database: rows.map((r) => r.row).join('\n'),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of ALL_SECRETS)
        expect(text.includes(secret), `${where} contains a secret`).toBe(false);
    }
    // The stdin password is there, but only as ciphertext.
    expect(haystacks.database).toContain('"kind": "encrypted"');
  });
});
