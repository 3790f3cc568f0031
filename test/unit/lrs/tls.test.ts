/**
 * Mutual TLS against a local HTTPS stand-in for the LRS (127.0.0.1 only): certificates are made for this
 * run with openssl in a temp folder — a CA, a server certificate for 127.0.0.1/localhost, a client
 * certificate (PEM and PKCS#12 with a passphrase), and a rogue CA that the client must not trust.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type SecureVersion } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLrsClient } from '../../../src/lrs/client.ts';
import { LrsError } from '../../../src/lrs/errors.ts';
import type { CreateLrsClientOptions, LrsIdentity } from '../../../src/lrs/types.ts';

const run = promisify(execFile);
const identity: LrsIdentity = { ukprn: '10099999', password: 'Pa55word-Pa55wd!', userName: 'tls.test' };
const demographics = {
  familyName: 'Testname',
  givenName: 'Sample',
  dateOfBirth: '1976-08-16',
  gender: '2',
  lastKnownPostCode: 'CV4 9EE',
};
const PFX_PASSPHRASE = 'pfx-Passphrase-1';

interface Pki {
  ca: Buffer;
  serverKey: Buffer;
  serverCert: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
  clientPfx: Buffer;
  /** A server certificate for 127.0.0.1 signed by a CA the client does not trust. */
  rogueServerKey: Buffer;
  rogueServerCert: Buffer;
  /** A client certificate signed by a CA the server does not trust. */
  rogueClientKey: Buffer;
  rogueClientCert: Buffer;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** EC keys: fast to generate, and what any modern TLS stack accepts. */
async function makePki(dir: string): Promise<Pki> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await writeFile(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const ca of ['ca', 'rogue-ca']) {
    await openssl(
      dir,
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=lrs-relay test ${ca}`,
    );
  }
  const issue = async (name: string, ca: string, ext: string, cn: string) => {
    await openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    await openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      ext,
    );
  };
  await issue('server', 'ca', 'server.ext', 'localhost');
  await issue('client', 'ca', 'client.ext', 'lrs-relay test organisation');
  await issue('rogue-server', 'rogue-ca', 'server.ext', 'localhost');
  await issue('rogue-client', 'rogue-ca', 'client.ext', 'someone else');
  await openssl(
    dir,
    'pkcs12',
    '-export',
    '-inkey',
    'client.key',
    '-in',
    'client.crt',
    '-out',
    'client.pfx',
    '-passout',
    `pass:${PFX_PASSPHRASE}`,
  );
  const f = (n: string) => readFile(join(dir, n));
  return {
    ca: await f('ca.crt'),
    serverKey: await f('server.key'),
    serverCert: await f('server.crt'),
    clientKey: await f('client.key'),
    clientCert: await f('client.crt'),
    clientPfx: await f('client.pfx'),
    rogueServerKey: await f('rogue-server.key'),
    rogueServerCert: await f('rogue-server.crt'),
    rogueClientKey: await f('rogue-client.key'),
    rogueClientCert: await f('rogue-client.crt'),
  };
}

const NO_MATCH = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<ns2:FindLearnerResponse xmlns:ns2="http://api.lrs.miap.gov.uk/findmsg"><ResponseCode>WSRC0001</ResponseCode>
<FamilyName>Testname</FamilyName><GivenName>Sample</GivenName></ns2:FindLearnerResponse></soapenv:Body></soapenv:Envelope>`;

interface ServerOptions {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
}

/** An HTTPS server that insists on a client certificate from our CA and answers a find with "no match". */
async function startLrs(o: ServerOptions): Promise<{ server: Server; base: string; requests: () => number }> {
  let requests = 0;
  const server = createServer({ ...o, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(NO_MATCH);
    });
  });
  server.on('tlsClientError', () => undefined); // expected in the failure cases
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    base: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
  };
}

const stop = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** One learnerByDemographics call; returns the result or the LrsError. */
async function find(
  base: string,
  o: Partial<CreateLrsClientOptions>,
): Promise<{ ok: true; code: string } | { ok: false; error: LrsError }> {
  const client = createLrsClient({
    endpoints: {
      learnerService: `${base}/LearnerService.svc`,
      learnerServiceR9: `${base}/LearnerServiceR9.svc`,
      externalService: `${base}/ExternalService.svc`,
    },
    timeoutMs: 5_000,
    connectTimeoutMs: 3_000,
    ...o,
  });
  try {
    const result = await client.learnerByDemographics(identity, demographics);
    return { ok: true, code: result.code };
  } catch (e) {
    if (e instanceof LrsError) return { ok: false, error: e };
    throw e;
  } finally {
    await client.close();
  }
}

describe('mutual TLS to the LRS', () => {
  let dir: string;
  let pki: Pki;
  let lrs: Awaited<ReturnType<typeof startLrs>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lrs-relay-tls-'));
    pki = await makePki(dir);
    lrs = await startLrs({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca });
  }, 30_000);

  afterAll(async () => {
    if (lrs) await stop(lrs.server);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('succeeds with the organisation certificate as PKCS#12 + passphrase', async () => {
    const r = await find(lrs.base, { ca: pki.ca, tls: { pfx: pki.clientPfx, passphrase: PFX_PASSPHRASE } });
    expect(r).toEqual({ ok: true, code: 'WSRC0001' });
  });

  it('succeeds with the organisation certificate as PEM key + cert', async () => {
    const r = await find(lrs.base, { ca: pki.ca, tls: { key: pki.clientKey, cert: pki.clientCert } });
    expect(r).toEqual({ ok: true, code: 'WSRC0001' });
  });

  it('without a client certificate: TLS_FAILED, not retryable, nothing reached the service', async () => {
    const before = lrs.requests();
    const r = await find(lrs.base, { ca: pki.ca });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Under TLS 1.3 the server refuses the missing certificate after the client thinks the handshake is done;
    // the alert still arrives before any HTTP answer, and must read as a TLS failure, not a dropped connection.
    expect({ code: r.error.code, codeSource: r.error.codeSource, retryable: r.error.retryable }).toEqual({
      code: 'TLS_FAILED',
      codeSource: 'relay',
      retryable: false,
    });
    expect(lrs.requests()).toBe(before);
  });

  it('with a client certificate from another CA: the dropped connection is reported as such, and nothing was served', async () => {
    const before = lrs.requests();
    const r = await find(lrs.base, {
      ca: pki.ca,
      tls: { key: pki.rogueClientKey, cert: pki.rogueClientCert },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Node's HTTPS server checks the chain itself after the handshake and destroys the socket without a TLS
    // alert, so the client sees only a closed connection after sending: it cannot honestly say more than
    // CONNECTION_FAILED, marked ambiguous. (A server that sends the alert is covered by the no-certificate case.)
    expect({ code: r.error.code, ambiguous: r.error.ambiguous }).toEqual({
      code: 'CONNECTION_FAILED',
      ambiguous: true,
    });
    expect(lrs.requests()).toBe(before);
  });

  it('with a wrong PKCS#12 passphrase: TLS_FAILED before any request', async () => {
    const before = lrs.requests();
    const r = await find(lrs.base, {
      ca: pki.ca,
      tls: { pfx: pki.clientPfx, passphrase: 'not-the-passphrase' },
    });
    expect(r.ok ? r.code : r.error.code).toBe('TLS_FAILED');
    expect(lrs.requests()).toBe(before);
  });

  it('when the server certificate is not trusted (Node roots only, or a rogue CA): TLS_FAILED', async () => {
    const noCa = await find(lrs.base, { tls: { pfx: pki.clientPfx, passphrase: PFX_PASSPHRASE } });
    expect(noCa.ok ? noCa.code : noCa.error.code).toBe('TLS_FAILED');

    const rogue = await startLrs({ key: pki.rogueServerKey, cert: pki.rogueServerCert, ca: pki.ca });
    try {
      const r = await find(rogue.base, {
        ca: pki.ca,
        tls: { pfx: pki.clientPfx, passphrase: PFX_PASSPHRASE },
      });
      expect(r.ok ? r.code : r.error.code).toBe('TLS_FAILED');
      expect(rogue.requests()).toBe(0);
    } finally {
      await stop(rogue.server);
    }
  });

  it('refuses a server that offers only TLS 1.1 (the client requires TLS 1.2 or later)', async () => {
    // SECLEVEL=0 lets this OpenSSL speak TLS 1.1 at all, so the refusal below is the client's minimum version.
    const old = await startLrs({
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    try {
      const negotiated = await new Promise<string | null>((resolve, reject) => {
        const port = (old.server.address() as AddressInfo).port;
        const s = connect(
          {
            host: '127.0.0.1',
            port,
            ca: pki.ca,
            key: pki.clientKey,
            cert: pki.clientCert,
            minVersion: 'TLSv1.1',
            maxVersion: 'TLSv1.1',
            ciphers: 'DEFAULT@SECLEVEL=0',
            servername: 'localhost',
          },
          () => {
            resolve(s.getProtocol());
            s.end();
          },
        );
        s.on('error', reject);
      });
      expect(negotiated).toBe('TLSv1.1');

      const r = await find(old.base, { ca: pki.ca, tls: { pfx: pki.clientPfx, passphrase: PFX_PASSPHRASE } });
      expect(r.ok ? r.code : r.error.code).toBe('TLS_FAILED');
      expect(old.requests()).toBe(0);
    } finally {
      await stop(old.server);
    }
  });
});
