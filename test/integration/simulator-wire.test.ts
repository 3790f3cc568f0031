/**
 * Black-box: plain SOAP envelopes posted with fetch (as curl would), checking the wire shape of answers,
 * faults, the maintenance page, WSDL download, size limits and the admin endpoint.
 */
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { explainCode } from '../../src/codes/table.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { createXmlReader, type XmlNode } from '../../src/simulator/xml.ts';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const FIND = 'http://api.lrs.miap.gov.uk/findmsg';
const CREDS =
  '<UKPRN>10000001</UKPRN><OrgPassword>Simulator-Pass16</OrgPassword><UserName>someone@example.org</UserName>';
const read = createXmlReader();

function env(body: string, extraNs = ''): string {
  return `<soapenv:Envelope xmlns:soapenv="${SOAP}" xmlns:fin="${FIND}"${extraNs}><soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** The captured learnerByDemographics request, with the default organisation's credentials. */
const capturedFind = env(
  `<fin:FindLearnerByDemographics><FindType>FUL</FindType>${CREDS}<FamilyName>Testname</FamilyName><GivenName>Sample</GivenName>` +
    `<DateOfBirth>1976-08-16</DateOfBirth><Gender>2</Gender><LastKnownPostCode>CV49EE</LastKnownPostCode><PreviousFamilyName></PreviousFamilyName>` +
    `<SchoolAtAge16></SchoolAtAge16><PlaceOfBirth></PlaceOfBirth><EmailAddress></EmailAddress></fin:FindLearnerByDemographics>`,
);

const plr = (uln: string, given: string, family: string) =>
  `<soapenv:Envelope xmlns:soapenv="${SOAP}" xmlns:tem="http://tempuri.org/" xmlns="http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface"><soapenv:Body>` +
  `<tem:GetLearnerLearningEvents><tem:invokingOrganisation><Password>Simulator-Pass16</Password><Ukprn>10000001</Ukprn><Username>someone@example.org</Username></tem:invokingOrganisation>` +
  `<tem:userType>ORG</tem:userType><tem:vendorID>0</tem:vendorID><tem:language>ENG</tem:language><tem:uln>${uln}</tem:uln><tem:givenName>${given}</tem:givenName>` +
  `<tem:familyName>${family}</tem:familyName><tem:dateOfBirth></tem:dateOfBirth><tem:gender></tem:gender><tem:getType>FULL</tem:getType></tem:GetLearnerLearningEvents></soapenv:Body></soapenv:Envelope>`;

let sim: Simulator;
let wsdlDir: string;

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', ...headers },
    body,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

/** First element inside soap:Body. */
function bodyRoot(text: string): XmlNode {
  const r = read(text);
  if (!r.ok) throw new Error(r.message);
  const body = r.root.children.find((c) => c.name === 'Body' && c.ns === SOAP);
  const first = body?.children[0];
  if (!first) throw new Error('no body element');
  return first;
}

function child(n: XmlNode | undefined, name: string): XmlNode | undefined {
  return n?.children.find((c) => c.name === name);
}

beforeAll(async () => {
  wsdlDir = await mkdtemp(join(tmpdir(), 'sim-wsdl-'));
  await writeFile(
    join(wsdlDir, 'LearnerService.wsdl'),
    '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>',
  );
  sim = await createSimulator({
    wsdlDir,
    maxBodyBytes: 64 * 1024,
    limits: { registration: 2 },
    instantBatches: true,
  }).listen();
});

afterAll(async () => {
  await sim.close();
  await rm(wsdlDir, { recursive: true, force: true });
});

afterEach(() => sim.admin.reset());

describe('LearnerService.svc answers', () => {
  it('answers the captured search with the captured shape: qualified root, unqualified children, qualified LinkedULNs', async () => {
    const r = await post('/LearnerService.svc', capturedFind);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/xml/);
    expect(r.text).toContain('<ns2:FindLearnerResponse xmlns:ns2="http://api.lrs.miap.gov.uk/findmsg">');
    const root = bodyRoot(r.text);
    expect(root).toMatchObject({ ns: FIND, name: 'FindLearnerResponse' });
    expect(root.children.map((c) => c.name)).toEqual([
      'ResponseCode',
      'FamilyName',
      'GivenName',
      'DateOfBirth',
      'Gender',
      'LastKnownPostCode',
      'Learner',
    ]);
    expect(root.children.every((c) => c.ns === '')).toBe(true);
    expect(child(root, 'LastKnownPostCode')?.text).toBe('CV49EE');
    const learner = child(root, 'Learner');
    expect(child(learner, 'LastKnownPostCode')?.text).toBe('CV4 9EE');
    expect(child(learner, 'PlaceOfBirth')?.text).toBe('Blean ');
    expect(child(learner, 'LinkedULNs')?.ns).toBe('http://api.lrs.miap.gov.uk/learner');
    expect(learner?.children.at(-1)).toMatchObject({ name: 'VersionNumber', text: '1' });
  });

  it('puts the merged ULN in LinkedULNs as an unqualified ULN for the linked learner', async () => {
    const body = capturedFind
      .replace('Testname', 'Test')
      .replace('1976-08-16', '1985-03-27')
      .replace('<Gender>2', '<Gender>1')
      .replace('CV49EE', 'AB125EQ');
    const r = await post('/LearnerService.svc', body, { soapaction: '""' });
    expect(r.text).toContain('<MasterSubstituted>Y</MasterSubstituted>');
    expect(r.text).toContain(
      '<LinkedULNs xmlns="http://api.lrs.miap.gov.uk/learner"><ULN xmlns="">4444599390</ULN></LinkedULNs>',
    );
  });

  it('answers a schema violation with the MIAPAPIException fault shape (HTTP 500, unqualified detail children)', async () => {
    const qualified = capturedFind
      .replace('<fin:FindLearnerByDemographics>', `<FindLearnerByDemographics xmlns="${FIND}">`)
      .replace('</fin:FindLearnerByDemographics>', '</FindLearnerByDemographics>');
    const r = await post('/LearnerService.svc', qualified);
    expect(r.status).toBe(500);
    const fault = bodyRoot(r.text);
    expect(fault).toMatchObject({ ns: SOAP, name: 'Fault' });
    expect(child(fault, 'faultcode')?.text).toBe('soapenv:Server');
    expect(child(fault, 'faultstring')?.text).toBe('uk.gov.miap.lrs.api.exceptions.MIAPAPIException');
    const ex = child(child(fault, 'detail'), 'MIAPAPIException');
    expect(ex?.ns).toBe('http://api.lrs.miap.gov.uk/exceptions');
    expect(ex?.children.map((c) => [c.name, c.ns])).toEqual([
      ['ErrorCode', ''],
      ['ErrorActor', ''],
      ['Description', ''],
      ['FurtherDetails', ''],
      ['ErrorTimestamp', ''],
    ]);
    expect(child(ex, 'ErrorCode')?.text).toBe('WSEC0001');
    expect(child(ex, 'FurtherDetails')?.text).toMatch(/^cvc-complex-type\.2\.4\.a: .*FindType/);
    expect(child(ex, 'ErrorTimestamp')?.text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('names the field of a bad value without echoing it', async () => {
    const r = await post('/LearnerService.svc', capturedFind.replace('1976-08-16', '1976-02-30'));
    expect(r.status).toBe(500);
    expect(r.text).toMatch(
      /<FurtherDetails>cvc-type\.3\.1\.3: The value of element 'DateOfBirth' is not valid for type 'MIAPDate'/,
    );
    expect(r.text).not.toContain('1976-02-30');
  });

  it('answers an unknown request element with WSEC0002', async () => {
    const r = await post(
      '/LearnerService.svc',
      env(`<fin:FindLearnerByShoeSize>${CREDS}</fin:FindLearnerByShoeSize>`),
    );
    expect(r.status).toBe(500);
    expect(r.text).toContain('<ErrorCode>WSEC0002</ErrorCode>');
  });

  it('answers out of hours with a WSEC0004 fault', async () => {
    sim.admin.setFaults({ outOfHours: true });
    const r = await post('/LearnerService.svc', capturedFind);
    expect(r.status).toBe(500);
    expect(r.text).toContain('<ErrorCode>WSEC0004</ErrorCode>');
  });

  it('refuses a batch whose count is wrong (WSRC0017) or over the configured limit (WSEC0001)', async () => {
    const learner =
      '<Learner><MISIdentifier>M1</MISIdentifier><GivenName>A</GivenName><FamilyName>B</FamilyName></Learner>';
    const batch = (count: number, n: number) =>
      env(
        `<b:SubmitBatch xmlns:b="http://api.lrs.miap.gov.uk/batchmsg">${CREDS}<JobType>CHK</JobType><LearnerRecordCount>${count}</LearnerRecordCount>${learner.repeat(n)}</b:SubmitBatch>`,
      );
    const wrong = await post('/LearnerService.svc', batch(2, 1));
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('<ResponseCode>WSRC0017</ResponseCode>');
    expect(wrong.text).not.toContain('<JobID>');
    const over = await post('/LearnerService.svc', batch(3, 3));
    expect(over.status).toBe(500);
    expect(over.text).toContain('<ErrorCode>WSEC0001</ErrorCode>');
  });

  it('refuses a verify batch whose count is wrong with WSRC0030, the verify counterpart of WSRC0017', async () => {
    const learner =
      '<Learner><MISIdentifier>V1</MISIdentifier><ULN>1026893096</ULN><FamilyName>B</FamilyName><GivenName>A</GivenName></Learner>';
    const r = await post(
      '/LearnerService.svc',
      env(
        `<v:SubmitVerifyBatch xmlns:v="http://api.lrs.miap.gov.uk/vldmsg">${CREDS}<LearnerRecordCount>2</LearnerRecordCount>${learner}</v:SubmitVerifyBatch>`,
      ),
    );
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain('<ResponseCode>WSRC0030</ResponseCode>');
    expect(r.text).not.toContain('<JobID>');
    expect(explainCode('WSRC0030')).toMatchObject({ class: 'data_error' });
  });

  it('answers RC006 for too little data to create a ULN and RC011 for a learner outside 13–110, as the code table reads them', async () => {
    const today = new Date();
    const yearsAgo = (n: number) =>
      `${today.getUTCFullYear() - n}-${String(today.getUTCMonth() + 1).padStart(2, '0')}-${String(today.getUTCDate()).padStart(2, '0')}`;
    const learner = (mis: string, dob: string) =>
      `<Learner><MISIdentifier>${mis}</MISIdentifier><GivenName>Ada</GivenName><FamilyName>Agecheck${mis}</FamilyName>` +
      `<LastKnownPostCode>CV4 9EE</LastKnownPostCode>${dob ? `<DateOfBirth>${dob}</DateOfBirth>` : ''}` +
      `<Gender>2</Gender><AbilityToShare>1</AbilityToShare><VerificationType>1</VerificationType></Learner>`;
    const submit = async (...learners: string[]) => {
      const r = await post(
        '/LearnerService.svc',
        env(
          `<b:SubmitBatch xmlns:b="http://api.lrs.miap.gov.uk/batchmsg">${CREDS}<JobType>FUL</JobType><LearnerRecordCount>${learners.length}</LearnerRecordCount>${learners.join('')}</b:SubmitBatch>`,
        ),
      );
      const jobId = child(bodyRoot(r.text), 'JobID')?.text ?? r.text;
      const out = await post(
        '/LearnerService.svc',
        env(
          `<b:GetSubmitBatchOutput xmlns:b="http://api.lrs.miap.gov.uk/batchmsg">${CREDS}<JobID>${jobId}</JobID></b:GetSubmitBatchOutput>`,
        ),
      );
      return bodyRoot(out.text)
        .children.filter((c) => c.name === 'Learner')
        .map((l) => [child(l, 'MISIdentifier')?.text, child(l, 'ReturnCode')?.text]);
    };
    expect(await submit(learner('A', ''), learner('B', yearsAgo(12)))).toEqual([
      ['A', 'RC006'],
      ['B', 'RC011'],
    ]);
    expect(await submit(learner('C', yearsAgo(111)), learner('D', yearsAgo(13)))).toEqual([
      ['C', 'RC011'],
      ['D', 'RC001'],
    ]);
    expect(explainCode('RC006')).toMatchObject({ class: 'data_error' });
    expect(explainCode('RC006').meaning).toMatch(/insufficient data to create a ULN/i);
    expect(explainCode('RC011').meaning).toMatch(/age range/);
  });
});

describe('HTTP-level refusals', () => {
  it('answers malformed XML with 400 and never resolves a DOCTYPE', async () => {
    expect((await post('/LearnerService.svc', '<soapenv:Envelope>')).status).toBe(400);
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${capturedFind.replace('Testname', '&e;')}`;
    const r = await post('/LearnerService.svc', xxe);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/DTD is prohibited/);
    expect(r.text).not.toContain('root:');
  });

  it('refuses a body over the size limit with 413', async () => {
    const r = await post(
      '/LearnerService.svc',
      capturedFind.replace('<soapenv:Header/>', `<soapenv:Header>${' '.repeat(70 * 1024)}</soapenv:Header>`),
    );
    expect(r.status).toBe(413);
  });

  it('serves the project WSDL on ?singleWsdl and says clearly when one is missing', async () => {
    const ok = await fetch(`${sim.url}/LearnerService.svc?singleWsdl`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('wsdl:definitions');
    const missing = await fetch(`${sim.url}/ExternalService.svc?singlewsdl`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/ExternalService\.wsdl is not in/);
  });

  it('serves the maintenance page as HTTP 405 HTML', async () => {
    sim.admin.setFaults({ maintenance: true });
    const r = await post('/LearnerService.svc', capturedFind);
    expect(r.status).toBe(405);
    expect(r.type).toMatch(/^text\/html/);
    expect(r.text).toContain('<title>UnsupportedHttpVerb</title>');
    expect(r.text).toMatch(/RequestId : [0-9a-f-]{36}/);
    expect(r.text).toMatch(/TimeStamp : \d{4}-\d{2}-\d{2}T/);
  });

  it('answers an injected error with a WCF internal-error fault (HTTP 500)', async () => {
    sim.admin.setFaults({ errorRate: 1 });
    const r = await post('/LearnerService.svc', capturedFind);
    expect(r.status).toBe(500);
    expect(r.text).toContain('a:InternalServiceFault');
  });
});

describe('R9 and External dispatch', () => {
  it('needs the SOAPAction: missing or wrong gets ActionNotSupported', async () => {
    for (const headers of [{}, { soapaction: '"http://tempuri.org/ILearnerServiceR9/Nope"' }] as Record<
      string,
      string
    >[]) {
      const r = await post('/LearnerServiceR9.svc', plr('1174112637', 'TestOne', 'TesterOne'), headers);
      expect(r.status).toBe(500);
      expect(r.text).toContain('a:ActionNotSupported');
    }
    const ext = await post('/ExternalService.svc', plr('1174112637', 'TestOne', 'TesterOne'));
    expect(ext.text).toContain('a:ActionNotSupported');
  });

  it('answers the PLR in the captured WCF shape, with an empty FoundULN when not verified', async () => {
    const action = { soapaction: '"http://tempuri.org/ILearnerServiceR9/GetLearnerLearningEvents"' };
    const found = await post('/LearnerServiceR9.svc', plr('1174112637', 'TestOne', 'TesterOne'), action);
    expect(found.status).toBe(200);
    expect(found.text).toContain(
      '<GetLearnerLearningEventsResponse xmlns="http://tempuri.org/"><GetLearnerLearningEventsResult xmlns:a="http://api.lrs.qcf.gov.uk/model" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:ResponseCode>WSRC0004</a:ResponseCode>',
    );
    expect(found.text).toContain('<a:Level i:nil="true"/>');
    expect(found.text).toContain('<a:ParticipationEndDate/>');
    const notVerified = await post('/LearnerServiceR9.svc', plr('1174112637', 'Someone', 'Else'), action);
    expect(notVerified.text).toContain(
      '<a:ResponseCode>WSEC0208</a:ResponseCode><a:FoundULN/><a:IncomingULN>1174112637</a:IncomingULN><a:LearnerRecord/>',
    );
  });
});

const JSON_TYPE = { 'content-type': 'application/json' };

describe('admin endpoint', () => {
  it('sets faults, reports stats and resets over HTTP', async () => {
    const set = await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ latencyMs: 5, jitterMs: 1 }),
    });
    expect(await set.json()).toMatchObject({ latencyMs: 5, jitterMs: 1, timeoutRate: 0 });
    await post('/LearnerService.svc', capturedFind);
    const stats = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      calls: { learnerByDemographics: 1 },
      registrations: 0,
      duplicateRegistrations: 0,
      batches: { done: 0 },
    });
    const refused = async (body: string) => {
      const r = await fetch(`${sim.url}/__admin/faults`, { method: 'POST', headers: JSON_TYPE, body });
      expect(r.status).toBe(400);
      return ((await r.json()) as { error: string }).error;
    };
    expect(await refused('{"timeoutRate": 2}')).toMatch(/^timeoutRate: /);
    expect(await refused('{"errorrate": 0.5}')).toMatch(
      /unknown fault setting "errorrate" \(known: latencyMs, .*errorRate/,
    );
    expect(await refused('{errorRate: 0.5}')).toMatch(/not JSON .*\{"errorRate": 0\.1\}/);
    expect(await refused('[0.5]')).toMatch(/must be a JSON object/);
    expect(sim.admin.faults()).toMatchObject({ latencyMs: 5, errorRate: 0 });
    expect((await fetch(`${sim.url}/__admin/reset`, { method: 'POST', headers: JSON_TYPE })).status).toBe(
      200,
    );
    expect(sim.admin.stats().calls).toEqual({});
    expect(sim.admin.faults().latencyMs).toBe(0);
  });

  it('refuses pages of other origins, DNS rebinding and non-JSON changes (CSRF), and answers 413 to a huge body', async () => {
    const before = sim.admin.faults();
    const send = (path: string, headers: Record<string, string>, body?: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        // node:http, because fetch will not let a test set Host.
        const u = new URL(sim.url);
        const req = httpRequest(
          { host: u.hostname, port: u.port, path, method: body === undefined ? 'GET' : 'POST', headers },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const port = new URL(sim.url).port;
    const change = JSON.stringify({ errorRate: 1 });
    // A page on evil.example that resolves its own name to 127.0.0.1 (DNS rebinding).
    const rebound = await send('/__admin/faults', { host: `evil.example:${port}`, ...JSON_TYPE }, change);
    expect(rebound.status).toBe(403);
    expect(rebound.text).toMatch(/Host header "evil\.example:\d+"/);
    expect((await send('/__admin/stats', { host: `evil.example:${port}` })).status).toBe(403);
    // A form or fetch from another site: its Origin is foreign, or it cannot send JSON without a preflight.
    const foreign = await send(
      '/__admin/faults',
      { host: `127.0.0.1:${port}`, origin: 'http://evil.example', ...JSON_TYPE },
      change,
    );
    expect(foreign.status).toBe(403);
    expect(foreign.text).toMatch(/other origins/);
    expect(
      (await send('/__admin/faults', { host: `127.0.0.1:${port}`, origin: 'null', ...JSON_TYPE }, change))
        .status,
    ).toBe(403);
    const form = await send(
      '/__admin/faults',
      { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' },
      change,
    );
    expect(form.status).toBe(403);
    expect(form.text).toMatch(/Content-Type: application\/json/);
    expect((await send('/__admin/reset', { host: `127.0.0.1:${port}` }, '')).status).toBe(403);
    expect(sim.admin.faults()).toEqual(before);
    // The simulator's own names, with or without a same-origin Origin, still work.
    expect((await send('/__admin/faults', { host: `localhost:${port}` })).status).toBe(200);
    const own = await send(
      '/__admin/faults',
      { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, ...JSON_TYPE },
      '{}',
    );
    expect(own.status).toBe(200);

    const huge = await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: `{"latencyMs": 1${' '.repeat(20 * 1024 * 1024)}}`,
    }).then(
      async (r) => ({ status: r.status, text: await r.text() }),
      (e: unknown) => ({ status: 0, text: String(e) }),
    );
    expect(huge.status).toBe(413);
    expect(huge.text).toMatch(/larger than 65536 bytes: send only the settings to change/);
    expect(sim.admin.faults()).toEqual(before);
  });

  it('holds a timed-out call open until the simulator closes, then drops the socket', async () => {
    const own = await createSimulator({ faults: { timeoutRate: 1 }, syntheticLearners: 0 }).listen();
    const pending = fetch(`${own.url}/LearnerService.svc`, { method: 'POST', body: capturedFind }).then(
      (r) => r.status,
      (e: unknown) => (e instanceof Error ? 'closed' : 'other'),
    );
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    await own.close();
    expect(await pending).toBe('closed');
  });
});
