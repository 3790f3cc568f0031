/**
 * Organisations over real mutual TLS: an HTTPS front (self-signed server certificate made in the test)
 * that asks for a client certificate, records which certificate and which UKPRN/password each call
 * carried, and passes the call on to the simulator. Proves that every call of organisation A carries
 * A's certificate *and* A's identity, never B's; that an untrusted server is a TLS failure for
 * `orgs test`; and that certificate problems and near expiry surface from the directory.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Readable, Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/orgs.ts';
import { loadConfig } from '../../src/config.ts';
import { endpointsAt } from '../../src/lrs/endpoints.ts';
import { checkWsdls } from '../../src/lrs/wsdl-check.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { createLogger } from '../../src/log.ts';
import { createLrsClient } from '../../src/lrs/client.ts';
import type { LrsTlsCredentials } from '../../src/lrs/types.ts';
import { registerCertificateExpiryGauge } from '../../src/orgs/certificates.ts';
import { createLrsClients } from '../../src/orgs/clients.ts';
import { createOrganisationDirectory } from '../../src/orgs/directory.ts';
import { ORG_ERROR_CODES } from '../../src/orgs/errors.ts';
import {
  insertOrganisation,
  listCertificateExpiries,
  type OrganisationFields,
} from '../../src/orgs/store.ts';
import { createSimulator } from '../../src/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createCertificateFolder, type CertificateFolder } from '../unit/orgs/make-certificates.ts';

const PW_A = 'Alpha-Password-1';
const PW_B = 'Bravo-Password-2';
const PFX_B = 'bravo-pfx-passphrase';
const SECRETS = [PW_A, PW_B, PFX_B];
const LEARNER = { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' };

interface Captured {
  cn: string | undefined;
  ukprn: string | undefined;
  organisationRef: string | undefined;
  password: string | undefined;
}

describe('organisations over mutual TLS', () => {
  let testDb: TestDatabase;
  let database: Database;
  let sim: ReturnType<typeof createSimulator>;
  let certs: CertificateFolder;
  let front: Server;
  let frontUrl = '';
  let serverCert: Buffer;
  const captured: Captured[] = [];
  /** GETs (`?singleWsdl`) that reached the front, with the client certificate they came with. */
  const wsdlGets: { cn: string | undefined; url: string }[] = [];
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
  const env = { LRS_PASSWORD_A: PW_A, LRS_PASSWORD_B: PW_B, PFX_B };
  const ids: Record<string, number> = {};

  const base = (over: Partial<OrganisationFields>): OrganisationFields => ({
    name: 'x',
    ukprn: null,
    organisationRef: null,
    vendorId: 0,
    passwordRef: { kind: 'env', name: 'LRS_PASSWORD_A' },
    certificateRef: null,
    certificateNotAfter: null,
    defaultUserName: 'nightly',
    concurrencyShare: 8,
    rateLimitPerSecond: null,
    ...over,
  });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = createDatabase({ url: testDb.url, poolSize: 2, applicationName: 'orgs-tls-test' });
    certs = await createCertificateFolder();
    const [server, a, b, expired, near, legacy] = await Promise.all([
      certs.make('server', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' }),
      certs.make('org-a'),
      certs.make('org-b', { pfxPassphrase: PFX_B }),
      certs.make('org-expired', { startDate: '20200101000000Z', endDate: '20210101000000Z' }),
      certs.make('org-near', { days: 5 }),
      certs.make('org-legacy', { pfxPassphrase: PFX_B, pfxLegacy: true }),
    ]);
    serverCert = await readFile(server.certPath);

    sim = createSimulator({
      syntheticLearners: 10,
      organisations: [
        { ukprn: '10000001', password: PW_A, operations: ['*'] },
        { organisationRef: 'ORGB02', password: PW_B, operations: ['*'] },
        { ukprn: '10000009', password: PW_A, operations: ['*'] },
      ],
    });
    await sim.listen();
    front = createServer(
      { key: await readFile(server.keyPath), cert: serverCert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          const cn = peer.subject?.CN;
          const isGet = req.method === 'GET';
          if (isGet) wsdlGets.push({ cn: Array.isArray(cn) ? cn.join(',') : cn, url: req.url ?? '' });
          else
            captured.push({
              cn: Array.isArray(cn) ? cn.join(',') : cn,
              ukprn: field('UKPRN'),
              organisationRef: field('OrganisationRef'),
              password: field('OrgPassword'),
            });
          fetch(`${sim.url}${req.url ?? '/'}`, {
            method: isGet ? 'GET' : 'POST',
            headers: { 'content-type': req.headers['content-type'] ?? 'text/xml' },
            body: isGet ? undefined : body,
          })
            .then(async (r) => {
              res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
              res.end(await r.text());
            })
            .catch(() => res.writeHead(502).end());
        });
      },
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontUrl = `https://localhost:${(front.address() as { port: number }).port}`;

    const db = database.db;
    ids.a = (
      await insertOrganisation(
        db,
        base({
          name: 'Alpha',
          ukprn: '10000001',
          certificateRef: { format: 'pem', keyPath: a.keyPath, certPath: a.certPath },
        }),
      )
    ).id;
    ids.b = (
      await insertOrganisation(
        db,
        base({
          name: 'Bravo',
          organisationRef: 'ORGB02',
          passwordRef: { kind: 'env', name: 'LRS_PASSWORD_B' },
          certificateRef: {
            format: 'pfx',
            path: b.pfxPath ?? '',
            passphraseRef: { kind: 'env', name: 'PFX_B' },
          },
        }),
      )
    ).id;
    ids.expired = (
      await insertOrganisation(
        db,
        base({
          name: 'Expired',
          ukprn: '10000007',
          certificateRef: { format: 'pem', keyPath: expired.keyPath, certPath: expired.certPath },
        }),
      )
    ).id;
    ids.near = (
      await insertOrganisation(
        db,
        base({
          name: 'Near',
          ukprn: '10000008',
          certificateRef: { format: 'pem', keyPath: near.keyPath, certPath: near.certPath },
        }),
      )
    ).id;
    ids.legacy = (
      await insertOrganisation(
        db,
        base({
          name: 'Legacy',
          ukprn: '10000009',
          certificateRef: {
            format: 'pfx',
            path: legacy.pfxPath ?? '',
            passphraseRef: { kind: 'env', name: 'PFX_B' },
          },
        }),
      )
    ).id;
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
    await sim?.close();
    await database?.close();
    await certs?.remove();
    await testDb?.drop();
  });

  const config = () =>
    loadConfig({
      DATABASE_URL: 'postgres://unused@127.0.0.1/x',
      LRS_BASE_URL: frontUrl,
      CERT_EXPIRY_WARNING_DAYS: '30',
    });

  /** The organisations' clients, trusting the test's self-signed server certificate (the transport passes TLS options through to the socket). */
  const trustingClients = () =>
    createLrsClients({
      directory: createOrganisationDirectory({ db: database.db, config: config(), log, env }),
      config: config(),
      log,
      createClient: (o) =>
        createLrsClient({ ...o, tls: { ...o.tls, ca: serverCert } as unknown as LrsTlsCredentials }),
    });

  it('every call carries its own organisation’s certificate, UKPRN/reference and password', async () => {
    const clients = trustingClients();
    try {
      captured.length = 0;
      const callAs = async (id: number) => {
        const { client, credentials } = await clients.forOrganisation(id);
        return client.learnerByUln(
          { ...credentials.identity, userName: 'clerk' },
          { ...LEARNER, findType: 'FUL' },
        );
      };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => callAs(i % 2 === 0 ? (ids.a ?? 0) : (ids.b ?? 0))),
      );
      expect(results.every((r) => r.code === 'WSRC0004')).toBe(true);
      expect(captured).toHaveLength(12);
      const fromA = captured.filter((c) => c.cn === 'org-a');
      const fromB = captured.filter((c) => c.cn === 'org-b');
      expect(fromA).toHaveLength(6);
      expect(fromB).toHaveLength(6);
      for (const c of fromA)
        expect(c).toEqual({ cn: 'org-a', ukprn: '10000001', organisationRef: undefined, password: PW_A });
      for (const c of fromB)
        expect(c).toEqual({ cn: 'org-b', ukprn: undefined, organisationRef: 'ORGB02', password: PW_B });
    } finally {
      await clients.close();
    }
  });

  it('a legacy PFX (RC2/3DES, openssl pkcs12 -export -legacy) works for mutual TLS', async () => {
    const clients = trustingClients();
    try {
      captured.length = 0;
      const { client, credentials } = await clients.forOrganisation(ids.legacy ?? 0);
      const r = await client.learnerByUln(
        { ...credentials.identity, userName: 'clerk' },
        { ...LEARNER, findType: 'FUL' },
      );
      expect(r.code).toBe('WSRC0004');
      expect(captured).toEqual([
        { cn: 'org-legacy', ukprn: '10000009', organisationRef: undefined, password: PW_A },
      ]);
    } finally {
      await clients.close();
    }
  });

  it("wsdl check over mutual TLS presents the organisation's certificate it is given", async () => {
    const credentials = await createOrganisationDirectory({
      db: database.db,
      config: config(),
      log,
      env,
    }).get(ids.a ?? 0);
    wsdlGets.length = 0;
    const result = await checkWsdls({
      endpoints: endpointsAt(frontUrl),
      tls: credentials.tls,
      ca: serverCert,
    });
    expect(result.services.map((s) => s.error)).toEqual([undefined, undefined, undefined]);
    expect(result.ok).toBe(true);
    expect(wsdlGets.sort((x, y) => x.url.localeCompare(y.url))).toEqual([
      { cn: 'org-a', url: '/ExternalService.svc?singleWsdl' },
      { cn: 'org-a', url: '/LearnerService.svc?singleWsdl' },
      { cn: 'org-a', url: '/LearnerServiceR9.svc?singleWsdl' },
    ]);
  });

  it('orgs test reports an untrusted server certificate as a TLS/certificate failure', async () => {
    const out: string[] = [];
    const code = await run(['test', '10000001'], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      stdin: Readable.from([]),
      env: { ...env, DATABASE_URL: testDb.url, LRS_BASE_URL: frontUrl },
      log,
    });
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('FAILED (tls): TLS/certificate failed');
  });

  it('an expired client certificate is refused naming the organisation, before any call', async () => {
    const directory = createOrganisationDirectory({ db: database.db, config: config(), log, env });
    await expect(directory.get(ids.expired ?? 0)).rejects.toMatchObject({
      code: ORG_ERROR_CODES.CERTIFICATE_EXPIRED,
      message: expect.stringContaining(
        'organisation 10000007 (Expired): the client certificate expired on 2021-01-01',
      ),
    });
  });

  it('near expiry: a warning is logged, certificate_not_after recorded and the gauge reports the days left', async () => {
    const directory = createOrganisationDirectory({ db: database.db, config: config(), log, env });
    const credentials = await directory.get(ids.near ?? 0);
    expect(credentials.certificate?.daysUntilExpiry).toBe(4);
    const warning = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.organisation === '10000008' && l.level === 40);
    expect(warning).toMatchObject({ daysUntilExpiry: 4, msg: expect.stringContaining('expires soon') });

    const registry = new Registry();
    registerCertificateExpiryGauge({ registry, listExpiries: () => listCertificateExpiries(database.db) });
    const metrics = await registry.metrics();
    const days = Number(
      /lrs_relay_certificate_expiry_days\{organisation="10000008"\} ([-0-9.]+)/.exec(metrics)?.[1],
    );
    expect(days).toBeGreaterThan(4.9);
    expect(days).toBeLessThanOrEqual(5);
  });

  it('credentials never reach a log line, even when the credentials object itself is logged', async () => {
    const directory = createOrganisationDirectory({ db: database.db, config: config(), log, env });
    const credentials = await directory.get(ids.b ?? 0);
    log.info({ credentials }, 'accidentally logged');
    log.info({ deep: { deeper: { deepest: credentials } } }, 'logged deeper than pino redacts');
    const all = logLines.join('');
    for (const s of SECRETS) expect(all.includes(s)).toBe(false);
    expect(all).toContain('"code":"ORGB02"');
  });
});
