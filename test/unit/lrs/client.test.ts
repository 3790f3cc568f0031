import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLrsClient } from '../../../src/lrs/client.ts';
import { LrsError } from '../../../src/lrs/errors.ts';
import type { LrsCallEvent, LrsClient, LrsIdentity } from '../../../src/lrs/types.ts';

const id: LrsIdentity = {
  ukprn: '10099999',
  password: 'Pa55word-Pa55wd!',
  userName: 'mis.support@college.ac.uk',
};
const query = { uln: '1026893096', familyName: 'Testname', givenName: 'Sample' };
const fixture = (n: string) =>
  readFileSync(new URL(`../../fixtures/lrs/responses/${n}`, import.meta.url), 'utf8');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ base: string; hits: () => number }> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    hits++;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

function client(
  base: string,
  o: { timeoutMs?: number; allowInsecureHttp?: boolean; onCall?: (e: LrsCallEvent) => void } = {},
): LrsClient {
  const c = createLrsClient({
    endpoints: {
      learnerService: `${base}/LearnerService.svc`,
      learnerServiceR9: `${base}/LearnerServiceR9.svc`,
      externalService: `${base}/ExternalService.svc`,
    },
    timeoutMs: o.timeoutMs ?? 2000,
    connectTimeoutMs: 1000,
    allowInsecureHttp: o.allowInsecureHttp ?? true,
    onCall: o.onCall,
  });
  cleanups.push(() => c.close());
  return c;
}

async function failureOf(p: Promise<unknown>): Promise<LrsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LrsError) return e;
    throw e;
  }
  throw new Error('expected failure');
}

describe('LRS client over a local HTTP server', () => {
  it('sends the request with SOAPAction and content type, reads the answer, reports the call', async () => {
    const seen: { action?: string | string[] | undefined; type?: string | undefined; body?: string } = {};
    const { base } = await serve((req, res, body) => {
      Object.assign(seen, { action: req.headers.soapaction, type: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'text/xml' }).end(fixture('find-exact.response.xml'));
    });
    const events: LrsCallEvent[] = [];
    const r = await client(base, { onCall: (e) => events.push(e) }).learnerByUln(id, query);
    expect(r).toMatchObject({ code: 'WSRC0004', outcome: 'exact' });
    expect(seen.action).toBe('""');
    expect(seen.type).toBe('text/xml; charset=utf-8');
    expect(seen.body).toContain(':FindLearnerByULN');
    expect(events).toEqual([
      expect.objectContaining({
        operation: 'learnerByUln',
        organisation: '10099999',
        code: 'WSRC0004',
        codeSource: 'lrs',
        httpStatus: 200,
      }),
    ]);
  });

  it('refuses an invalid request with every problem listed, and never sends it', async () => {
    const srv = await serve((_q, res) => res.end());
    const e = await failureOf(
      client(srv.base).learnerByDemographics(
        { ukprn: '10099999', organisationRef: 'ABC123', password: 'short', userName: 'u'.repeat(36) },
        {
          familyName: '',
          givenName: 'A',
          dateOfBirth: '2023-02-29',
          gender: '3',
          lastKnownPostCode: 'CV4 9IE',
          emailAddress: 'a@b',
        },
      ),
    );
    expect(e).toMatchObject({ code: 'LOCAL_VALIDATION', codeSource: 'relay', retryable: false });
    expect(e.problems.map((p) => p.field).sort()).toEqual(
      [
        'dateOfBirth',
        'emailAddress',
        'familyName',
        'gender',
        'identity',
        'identity.password',
        'identity.userName',
        'lastKnownPostCode',
      ].sort(),
    );
    expect(srv.hits()).toBe(0);
  });

  it('a batch whose LearnerRecordCount differs from the learners sent is refused before sending', async () => {
    const srv = await serve((_q, res) => res.end());
    const learners = [{ uln: '1026893096', familyName: 'Testname', givenName: 'Sample' }];
    for (const call of [
      client(srv.base).submitVerifyBatch(id, { learners, learnerRecordCount: 2 }),
      client(srv.base).submitBatchRegistration(id, { jobType: 'FUL', learners, learnerRecordCount: 2 }),
    ]) {
      const e = await failureOf(call);
      expect(e).toMatchObject({
        code: 'LOCAL_VALIDATION',
        problems: [{ field: 'learnerRecordCount', message: 'must equal the number of learners sent' }],
      });
    }
    expect(srv.hits()).toBe(0);
  });

  it('plain http is refused unless allowed', async () => {
    const srv = await serve((_q, res) => res.end());
    const e = await failureOf(client(srv.base, { allowInsecureHttp: false }).learnerByUln(id, query));
    expect(e.code).toBe('CONFIGURATION');
    expect(srv.hits()).toBe(0);
  });

  it('a closed port fails fast with CONNECTION_FAILED', async () => {
    const srv = await serve((_q, res) => res.end());
    const base = srv.base;
    for (const c of cleanups.splice(0)) await c();
    const t0 = Date.now();
    const e = await failureOf(client(base).learnerByUln(id, query));
    expect(e).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true, ambiguous: false });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a server that never answers ends in TIMEOUT (ambiguous) within the timeout', async () => {
    const { base } = await serve(() => undefined);
    const t0 = Date.now();
    const e = await failureOf(client(base, { timeoutMs: 300 }).learnerByUln(id, query));
    expect(e).toMatchObject({ code: 'TIMEOUT', retryable: true, ambiguous: true });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('HTML answers: 405 is LRS_MAINTENANCE, others NON_SOAP_RESPONSE', async () => {
    const m = await serve((_q, res) =>
      res.writeHead(405, { 'content-type': 'text/html' }).end(fixture('maintenance.html')),
    );
    expect(await failureOf(client(m.base).learnerByUln(id, query))).toMatchObject({
      code: 'LRS_MAINTENANCE',
      httpStatus: 405,
      retryable: true,
    });
    const h = await serve((_q, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>proxy login</body></html>'),
    );
    expect(await failureOf(client(h.base).learnerByUln(id, query))).toMatchObject({
      code: 'NON_SOAP_RESPONSE',
    });
  });

  it('an LRS fault over HTTP 500 keeps the LRS code', async () => {
    const { base } = await serve((_q, res) =>
      res.writeHead(500, { 'content-type': 'text/xml' }).end(fixture('fault-WSEC0001-schema.response.xml')),
    );
    expect(await failureOf(client(base).learnerByUln(id, query))).toMatchObject({
      code: 'WSEC0001',
      codeSource: 'lrs',
      httpStatus: 500,
    });
  });

  it("the caller's AbortSignal ends the call with ABORTED", async () => {
    const { base } = await serve(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect(await failureOf(client(base).learnerByUln(id, query, { signal: ac.signal }))).toMatchObject({
      code: 'ABORTED',
    });
  });

  it('an answer of the wrong operation is MALFORMED_RESPONSE', async () => {
    const { base } = await serve((_q, res) => res.end(fixture('register-WSRC0005.response.xml')));
    expect(await failureOf(client(base).learnerByUln(id, query))).toMatchObject({
      code: 'MALFORMED_RESPONSE',
    });
  });
});
