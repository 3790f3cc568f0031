/**
 * `lrs-relay wsdl check` (src/cli/wsdl.ts over src/lrs/wsdl-check.ts): against the simulator, against a
 * local host serving changed copies of our WSDLs, and against hosts that hang, answer too much or
 * answer an error page. The command runs in-process; the CLI is spawned once.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWsdlCheck, run } from '../../../src/cli/wsdl.ts';
import type { ServiceName } from '../../../src/lrs/messages.ts';
import { checkWsdls, WSDL_MAX_BYTES } from '../../../src/lrs/wsdl-check.ts';
import { endpointsAt } from '../../../src/lrs/endpoints.ts';
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts';
import {
  actionAsString,
  addAnswerElement,
  editAfter,
  ourWsdl,
  renameElement,
  requireTitle,
  singleUln,
  swapOrder,
  unqualifyJobId,
} from './wsdl-copies.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/lrs-relay.js');

const SERVICE_OF: Record<string, ServiceName> = {
  '/LearnerService.svc': 'learnerService',
  '/LearnerServiceR9.svc': 'learnerServiceR9',
  '/ExternalService.svc': 'externalService',
};

/** What the changed host serves: four kinds of drift in requests, one element added to an answer. */
const CHANGED: Record<ServiceName, string> = {
  learnerService: singleUln(requireTitle(swapOrder(renameElement(ourWsdl('learnerService'))))),
  learnerServiceR9: addAnswerElement(ourWsdl('learnerServiceR9')),
  externalService: actionAsString(unqualifyJobId(ourWsdl('externalService'))),
};

/**
 * An import whose location carries U+202E (right-to-left override, legal in an XML attribute, it turns
 * the rest of a terminal line around): what reaches the terminal must be escaped.
 */
const HOSTILE = editAfter(
  ourWsdl('externalService'),
  '<xs:import namespace="http://api.lrs.qcf.gov.uk/model"',
  '/>',
  ' schemaLocation="http://x.example/\u202egsx.xsd"/>',
);

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function check(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env });
  return { code, out, err };
}

let sim: Simulator;
let host: Server;
let base: string;
const hanging = new Set<ServerResponse>();
/** Bytes the oversize route wrote before the client went away. */
let bigWritten = 0;
let bigClosed: Promise<void> = Promise.resolve();

beforeAll(async () => {
  sim = await createSimulator({ port: 0, host: '127.0.0.1' }).listen();
  host = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, route, svc] = url.pathname.split('/');
    const service = SERVICE_OF[`/${svc ?? ''}`];
    if (!service || url.search.toLowerCase() !== '?singlewsdl') {
      res.writeHead(404).end();
      return;
    }
    if (route === 'changed' || route === 'hostile') {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(route === 'hostile' && service === 'externalService' ? HOSTILE : CHANGED[service]);
    } else if (route === 'slow') {
      hanging.add(res); // never answered
    } else if (route === 'down') {
      res
        .writeHead(503, { 'content-type': 'text/html' })
        .end('<html><body>Service Unavailable</body></html>');
    } else if (route === 'big') {
      // Streams well past the cap until the client hangs up (64 MiB at most).
      res.writeHead(200, { 'content-type': 'text/xml' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      bigClosed = new Promise((resolve) => res.on('close', () => resolve()));
      const pump = (): void => {
        while (!res.destroyed && bigWritten < 64 * 1024 * 1024) {
          bigWritten += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of hanging) r.destroy();
  await sim.close();
  host.closeAllConnections();
  await new Promise<void>((resolve) => host.close(() => resolve()));
});

describe('wsdl check against the simulator', () => {
  it('finds every WSDL equal and exits 0', async () => {
    const r = await check(['check', '--url', sim.url]);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      `LearnerService.svc  ${sim.url}/LearnerService.svc?singleWsdl`,
      '  equal: learnerByULN, learnerByDemographics, registerSingleLearner, updateSingleLearner, verifyLearner, submitBatchRegistration, getBatchRegistrationOutput, submitVerifyBatch, getVerifyBatchOutput, retrieveULNs',
      `LearnerServiceR9.svc  ${sim.url}/LearnerServiceR9.svc?singleWsdl`,
      '  equal: GetLearnerLearningEvents, LearnerByUln',
      '  also offered, not used by lrs-relay: UpdateLearnerSubsetFields, ViewAudit, GetOrganisation',
      `ExternalService.svc  ${sim.url}/ExternalService.svc?singleWsdl`,
      '  equal: SubmitAchievementBatchJob, GetAchievementBatchJob',
      'Result: every WSDL matches our message descriptions.',
    ]);
    expect(r.code).toBe(0);
  });

  it('without --url checks the configured services (LRS_BASE_URL)', async () => {
    const r = await check(['check', '--json'], { LRS_BASE_URL: sim.url });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out.join('\n')) as { ok: boolean; services: { url: string }[] };
    expect(json.ok).toBe(true);
    expect(json.services.map((s) => s.url)).toEqual([
      `${sim.url}/LearnerService.svc?singleWsdl`,
      `${sim.url}/LearnerServiceR9.svc?singleWsdl`,
      `${sim.url}/ExternalService.svc?singleWsdl`,
    ]);
  });
});

describe('wsdl check against a changed copy', () => {
  it('reports each difference with ours and theirs, and exits 1', async () => {
    const r = await check(['check', '--url', `${base}/changed`]);
    expect(r.code).toBe(1);
    const different = r.out.filter((l) => l.startsWith('  DIFFERENT '));
    expect(different).toEqual([
      '  DIFFERENT learnerByULN request FindLearnerByULN: order of elements: ours FindType, OrganisationRef, UKPRN, OrgPassword, UserName, ULN, FamilyName, GivenName, theirs FindType, OrganisationRef, UKPRN, OrgPassword, UserName, ULN, GivenName, FamilyName',
      '  DIFFERENT learnerByDemographics request FindLearnerByDemographics/LastKnownPostCode: element renamed: ours LastKnownPostCode, theirs PostCode',
      '  DIFFERENT registerSingleLearner request RegisterLearner/Learner/Title: minOccurs (the WSDL requires an element we may leave out): ours 0, theirs 1',
      '  DIFFERENT updateSingleLearner request UpdateLearner/Learner/Title: minOccurs (the WSDL requires an element we may leave out): ours 0, theirs 1',
      '  DIFFERENT retrieveULNs request RetrieveULNs/ULNsToRetrieve/ULN: maxOccurs (we may send more than the WSDL allows): ours 200, theirs 1',
      '  DIFFERENT GetLearnerLearningEvents response GetLearnerLearningEventsResponse/GetLearnerLearningEventsResult/Notes: element added to the answer (lrs-relay does not read it): ours absent, theirs {http://api.lrs.qcf.gov.uk/model}Notes at position 5, minOccurs 0',
      '  DIFFERENT SubmitAchievementBatchJob request SubmitAchievementBatchJob/achievements/Achievement/Action: type: ours xs:int, theirs xs:string',
      '  DIFFERENT GetAchievementBatchJob request GetAchievementBatchJob/jobId: namespace: ours qualified in http://api.lrs.qcf.gov.uk/services, theirs unqualified',
    ]);
    // What did not change is still said to be equal.
    expect(r.out).toContain(
      '  equal: verifyLearner, submitBatchRegistration, getBatchRegistrationOutput, submitVerifyBatch, getVerifyBatchOutput',
    );
    expect(r.out).toContain('  equal: LearnerByUln');
    expect(r.out.at(-1)).toBe('Result: 8 difference(s). Nothing in lrs-relay was changed.');
  });

  it('--json carries every difference for scripts', async () => {
    const r = await check(['check', '--url', `${base}/changed`, '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out.join('\n')) as {
      ok: boolean;
      services: { service: string; report: { differences: { operation: string; what: string }[] } }[];
    };
    expect(json.ok).toBe(false);
    expect(json.services.map((s) => [s.service, s.report.differences.length])).toEqual([
      ['learnerService', 5],
      ['learnerServiceR9', 1],
      ['externalService', 2],
    ]);
  });

  it('escapes what the WSDL says before it reaches the terminal', async () => {
    const r = await check(['check', '--url', `${base}/hostile`]);
    expect(r.code).toBe(1);
    const failed = r.out.find((l) => l.startsWith('  FAILED'));
    expect(failed).toBe(
      '  FAILED (MALFORMED_RESPONSE): the WSDL imports http://x.example/\\u202egsx.xsd: external imports are refused (a ?singleWsdl document holds every schema inline)',
    );
    expect(r.out.join('\n')).not.toContain('\u202e');
  });

  it('the CLI, spawned: exit 1 and the differences on stdout', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'wsdl', 'check', '--url', `${base}/changed`],
        { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'DIFFERENT learnerByDemographics request FindLearnerByDemographics/LastKnownPostCode: element renamed',
    );
    expect(r.stdout).toContain('Result: 8 difference(s).');
  }, 30_000);

  it('counts known differences in requests and in answers on their own lines', () => {
    const note = (path: string) => ({ operation: 'retrieveULNs', path, what: 'x', ours: '1', theirs: '0' });
    const lines = formatWsdlCheck({
      ok: true,
      services: [
        {
          service: 'learnerService',
          url: 'http://lrs.example/LearnerService.svc?singleWsdl',
          report: {
            service: 'learnerService',
            equal: ['retrieveULNs'],
            differences: [],
            notes: [note('request RetrieveULNs/UKPRN'), note('response RetrieveULNsResponse/RetrievedULNs')],
            unused: [],
          },
        },
      ],
    });
    expect(lines).toContain(
      "  1 known difference(s) accepted in requests: nillable elements the WSDL requires and the service's strict schema makes optional (--json lists them)",
    );
    expect(lines).toContain(
      '  1 known difference(s) accepted in answers: occurs looser than the strict schema our WSDL carries (--json lists them)',
    );
  });
});

describe('wsdl check when a WSDL cannot be had', () => {
  it('a host that never answers: TIMEOUT per service within the time given, exit 1', async () => {
    const started = Date.now();
    const r = await check(['check', '--url', `${base}/slow`, '--timeout', '300']);
    expect(r.code).toBe(1);
    expect(r.out.filter((l) => l.startsWith('  FAILED'))).toEqual([
      '  FAILED (TIMEOUT): no answer within 300 ms',
      '  FAILED (TIMEOUT): no answer within 300 ms',
      '  FAILED (TIMEOUT): no answer within 300 ms',
    ]);
    expect(r.out.at(-1)).toBe(
      'Result: 0 difference(s), 3 WSDL(s) not fetched or not read. Nothing in lrs-relay was changed.',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a body past the cap: refused while it streams, never buffered whole', async () => {
    bigWritten = 0;
    const result = await checkWsdls({
      endpoints: {
        ...endpointsAt(`${base}/big`),
        learnerServiceR9: `${sim.url}/LearnerServiceR9.svc`,
        externalService: `${sim.url}/ExternalService.svc`,
      },
      allowInsecureHttp: true,
    });
    expect(result.ok).toBe(false);
    expect(result.services[0]?.error).toEqual({
      code: 'MALFORMED_RESPONSE',
      message: `response larger than ${WSDL_MAX_BYTES} bytes refused`,
    });
    expect(result.services[1]?.report?.differences).toEqual([]);
    await bigClosed;
    // The client hung up soon after the cap: the server got nowhere near its 64 MiB.
    expect(bigWritten).toBeLessThan(16 * 1024 * 1024);
  });

  it('an error page instead of the WSDL: HTTP_ERROR with the status', async () => {
    const r = await check(['check', '--url', `${base}/down`]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  FAILED (HTTP_ERROR): HTTP 503 instead of the WSDL');
  });

  it('nothing listening: CONNECTION_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await check(['check', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.out.filter((l) => l.startsWith('  FAILED')).map((l) => l.slice(0, 30))).toEqual([
      '  FAILED (CONNECTION_FAILED): ',
      '  FAILED (CONNECTION_FAILED): ',
      '  FAILED (CONNECTION_FAILED): ',
    ]);
  });
});

describe('wsdl usage errors exit 2', () => {
  it.each([
    [[], 'say what to do: wsdl check'],
    [['verify'], 'unknown wsdl command (check)'],
    [['check', 'extra'], 'wsdl check takes no arguments, only options'],
    [['check', '--url', 'ftp://x.example'], '--url must be http:// or https://'],
    [['check', '--url', 'not a url'], '--url must be a URL such as https://ws.lrs.education.gov.uk'],
    [['check', '--timeout', '5'], '--timeout must be a whole number of ms from 100 to 600000'],
    [['check', '--bogus'], "Unknown option '--bogus'"],
  ])('%j', async (args, message) => {
    const r = await check(args);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toContain(message);
    expect(r.err.join('\n')).toContain('Run `lrs-relay wsdl --help` for the options.');
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await check(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Usage: lrs-relay wsdl check/);
  });
});
