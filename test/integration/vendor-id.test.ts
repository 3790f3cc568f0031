/**
 * Vendor id 0 against an endpoint that may be the LRS (issue 22 item 4). The relay runs against an HTTPS front
 * on this machine (https:// may be the LRS wherever it is; only plain http:// is the simulator) that counts the
 * calls reaching it and passes them on to the simulator. With the organisation's vendor id 0, a learning-events
 * request ends failed with VENDOR_ID_NOT_SET naming LRS_VENDOR_ID and `orgs update --vendor-id`, and no R9 call
 * reaches the front, while a registration goes through; `orgs test` says the R9 calls are refused and exits 1.
 * With a vendor id set (`orgs update --vendor-id`), the request goes through carrying it and `orgs test` passes.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as orgsCli } from '../../src/cli/orgs.ts';
import { createLrsClient } from '../../src/lrs/client.ts';
import type { CreateLrsClientOptions, LrsTlsCredentials } from '../../src/lrs/types.ts';
import { createCertificateFolder, type CertificateFolder } from '../unit/orgs/make-certificates.ts';
import { SIM_PASSWORD, startPipeline, type Pipeline } from '../helpers/pipeline.ts';

/** The captured PLR learner the simulator is seeded with. */
const PLR_LEARNER = { uln: '1174112637', givenName: 'TestOne', familyName: 'TesterOne' };

interface Hit {
  /** Local name of the SOAP body's root element. */
  message: string;
  vendorId: string | undefined;
}

describe('R9 calls with vendor id 0 against an https:// endpoint', { timeout: 120_000 }, () => {
  let certs: CertificateFolder;
  let serverCert: Buffer;
  let front: Server;
  let frontUrl = '';
  let target = '';
  const hits: Hit[] = [];
  let p: Pipeline;

  /** Clients that trust the front's self-signed certificate (the transport passes TLS options through). */
  const trusting = (o: CreateLrsClientOptions) =>
    createLrsClient({ ...o, tls: { ...o.tls, ca: serverCert } as unknown as LrsTlsCredentials });

  beforeAll(async () => {
    certs = await createCertificateFolder();
    const server = await certs.make('server', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' });
    serverCert = await readFile(server.certPath);
    front = createServer({ key: await readFile(server.keyPath), cert: serverCert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const isGet = req.method === 'GET';
        if (!isGet)
          hits.push({
            message: /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(body)?.[1] ?? '',
            vendorId: /<(?:[\w-]+:)?vendorI[Dd]>([^<]*)</.exec(body)?.[1],
          });
        const headers: Record<string, string> = {};
        for (const h of ['content-type', 'soapaction'])
          if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
        fetch(`${target}${req.url ?? '/'}`, {
          method: isGet ? 'GET' : 'POST',
          headers,
          body: isGet ? undefined : body,
        })
          .then(async (r) => {
            res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
            res.end(await r.text());
          })
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontUrl = `https://localhost:${(front.address() as AddressInfo).port}`;
    p = await startPipeline({
      env: { LRS_BASE_URL: frontUrl },
      relay: { createLrsClient: trusting },
    });
    target = p.simulator.url;
  }, 60_000);

  afterAll(async () => {
    await p?.stop();
    await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
    await certs?.remove();
  });

  /** Runs `lrs-relay orgs …` against the pipeline's database and the front. */
  async function orgs(args: string[]): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const code = await orgsCli(args, {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      stdin: Readable.from([]),
      env: {
        DATABASE_URL: p.db.url,
        LRS_BASE_URL: frontUrl,
        LRS_PASSWORD_10000001: SIM_PASSWORD,
      },
      createClient: trusting,
    });
    return { code, out: out.join('\n') };
  }

  const r9 = () => hits.filter((h) => h.message === 'GetLearnerLearningEvents');

  it('vendor id 0: the learning-events request fails with VENDOR_ID_NOT_SET and never reaches the endpoint', async () => {
    const events = await p.submit('learning_events', 'V-1', PLR_LEARNER);
    // A LearnerService.svc call of the same organisation goes through the same endpoint meanwhile.
    const find = await p.submit('find_by_uln', 'V-2', PLR_LEARNER);
    await p.settle(60_000);

    const refused = await p.request(events);
    expect(refused).toMatchObject({ status: 'failed', code: 'VENDOR_ID_NOT_SET', class: 'config_error' });
    expect(refused.description).toContain('LRS_VENDOR_ID');
    expect(refused.description).toContain('`lrs-relay orgs update <organisation> --vendor-id N`');
    expect(r9()).toEqual([]);
    expect(await p.request(find)).toMatchObject({ status: 'succeeded', code: 'WSRC0004' });
    expect(hits.map((h) => h.message)).toContain('FindLearnerByULN');

    const test = await orgs(['test', '10000001']);
    expect(test.out).toContain('OK: ');
    expect(test.out).toContain(
      `FAILED (vendor id): R9 calls of 10000001 (Simulator College) are refused: vendor id is 0 (not set) and ${frontUrl}/LearnerServiceR9.svc is not the simulator`,
    );
    expect(test.out).toContain('`lrs-relay orgs update 10000001 --vendor-id N`');
    expect(test.code).toBe(1);
    expect(r9()).toEqual([]);
  });

  it('with the vendor id set by orgs update, the request goes through carrying it and orgs test passes', async () => {
    expect((await orgs(['update', '10000001', '--vendor-id', '4242'])).code).toBe(0);
    const test = await orgs(['test', '10000001']);
    expect(test.out).not.toContain('vendor id');
    expect(test.code).toBe(0);

    // Running processes pick up an organisation's change within a minute; a restart picks it up at once.
    await p.restartRelay();
    const events = await p.submit('learning_events', 'V-3', PLR_LEARNER);
    await p.settle(60_000);
    expect(await p.request(events)).toMatchObject({ status: 'succeeded', code: 'WSRC0004' });
    expect(r9()).toEqual([{ message: 'GetLearnerLearningEvents', vendorId: '4242' }]);
  });
});
