/**
 * Our WSDLs (wsdl/) and our message descriptions (src/lrs/messages.ts) must say the same thing.
 *
 * The WSDLs are read with the `soap` package (not with our own XML code, so a mistake cannot cancel out)
 * through src/lrs/contract.ts, the reader `lrs-relay wsdl check` uses on the live services; each request
 * element's content is compared with the description: element names, namespaces (qualified or not),
 * order and repetition, plus occurs and nil rules, more strictly here than the live check (our own
 * LearnerService.svc WSDL carries the strict schema's exact minOccurs).
 * Then soap itself builds requests from the WSDL and they are compared structurally with ours, which
 * proves the WSDL describes the envelopes we send. Finally the simulator must serve these very files,
 * with its own address in each service's soap:address, as a real .svc does.
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLrsClient } from '../../../src/lrs/client.ts';
import {
  compareOperation,
  contentOf,
  fieldsOf,
  readWsdlText,
  type ContractField,
  type ReadWsdl,
} from '../../../src/lrs/contract.ts';
import { buildEnvelope, buildHeaders } from '../../../src/lrs/envelope.ts';
import {
  MESSAGES,
  OPERATION_NAMES,
  type FieldSpec,
  type MessageSpec,
  type ServiceName,
  type WireObject,
  type WireValue,
} from '../../../src/lrs/messages.ts';
import * as op from '../../../src/lrs/operations/index.ts';
import type { LrsIdentity } from '../../../src/lrs/types.ts';
import { createSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { canonicalBody } from './canonical-xml.ts';

const WSDL_FILES: Record<ServiceName, string> = {
  learnerService: 'LearnerService.wsdl',
  learnerServiceR9: 'LearnerServiceR9.wsdl',
  externalService: 'ExternalService.wsdl',
};
const SVC_PATHS: Record<ServiceName, string> = {
  learnerService: '/LearnerService.svc',
  learnerServiceR9: '/LearnerServiceR9.svc',
  externalService: '/ExternalService.svc',
};
const wsdlPath = (service: ServiceName) =>
  new URL(`../../../wsdl/${WSDL_FILES[service]}`, import.meta.url).pathname;

// ---------- reading our WSDLs with soap (src/lrs/contract.ts, shared with `lrs-relay wsdl check`) ----------

type Field = ContractField;

async function loadWsdl(service: ServiceName): Promise<ReadWsdl> {
  return readWsdlText(readFileSync(wsdlPath(service), 'utf8'), WSDL_FILES[service]);
}

// ---------- comparing with the descriptions ----------

const fromSpec = fieldsOf;

/** Names, namespaces, order, nesting and whether an element repeats: what decides the wire shape. */
type Shape = { element: string; repeats: boolean; children?: Shape[] };
const shape = (fields: readonly Field[]): Shape[] =>
  fields.map((f) => ({
    element: `{${f.ns}}${f.name}`,
    repeats: f.max > 1,
    ...(f.children ? { children: shape(f.children) } : {}),
  }));

/**
 * Occurs and nil rules that must hold between our description and the contract: we never omit an
 * element the WSDL requires, never send nil where it is not nillable, never send more than it allows.
 * On LearnerService.svc our WSDL carries the strict MIAP occurs, so the minimums must be equal.
 */
function ruleProblems(
  desc: readonly Field[],
  wsdl: readonly Field[],
  exactMin: boolean,
  path = '',
): string[] {
  const out: string[] = [];
  desc.forEach((d, i) => {
    const w = wsdl[i];
    if (!w || w.name !== d.name) return; // reported by the shape comparison
    const p = `${path}${d.name}`;
    if (exactMin ? w.min !== d.min : w.min >= 1 && d.min < 1)
      out.push(`${p}: minOccurs ${w.min} in WSDL, ${d.min} in description`);
    if (d.nillable && !w.nillable) out.push(`${p}: nil allowed by description, not nillable in WSDL`);
    if (d.max > w.max) out.push(`${p}: description allows ${d.max}, WSDL maxOccurs ${w.max}`);
    if (d.children && w.children) out.push(...ruleProblems(d.children, w.children, exactMin, `${p}/`));
  });
  return out;
}

const SERVICES: ServiceName[] = ['learnerService', 'learnerServiceR9', 'externalService'];
const loaded = new Map<ServiceName, ReadWsdl>();

beforeAll(async () => {
  for (const s of SERVICES) loaded.set(s, await loadWsdl(s));
});

function wsdlOf(service: ServiceName): ReadWsdl {
  const w = loaded.get(service);
  if (!w) throw new Error(`${service} WSDL not loaded`);
  return w;
}

describe('our WSDLs, as soap reads them', () => {
  it('name the services, ports and production addresses of docs/lrs.md §1.1', () => {
    const expected: Record<ServiceName, [string, string, string]> = {
      learnerService: [
        'LearnerServiceProxy',
        'BasicHttpBinding_LearnerPortType',
        'https://ws.lrs.education.gov.uk/LearnerService.svc',
      ],
      learnerServiceR9: [
        'LearnerServiceR9Proxy',
        'BasicHttpBinding_ILearnerServiceR9',
        'https://ws.lrs.education.gov.uk/LearnerServiceR9.svc',
      ],
      externalService: [
        'ExternalServiceProxy',
        'BasicHttpBinding_IExternalService',
        'https://ws.lrs.education.gov.uk/ExternalService.svc',
      ],
    };
    for (const s of SERVICES) {
      const [service, port, address] = expected[s];
      expect(wsdlOf(s).defs.services[service]?.ports[port]?.location, s).toBe(address);
    }
  });

  it('LearnerService.svc has exactly the ten operations we describe, with portType LearnerPortType', () => {
    const ls = wsdlOf('learnerService');
    expect(Object.keys(ls.defs.portTypes)).toEqual(['LearnerPortType']);
    const described = OPERATION_NAMES.map((n) => MESSAGES[n] as MessageSpec)
      .filter((m) => m.service === 'learnerService')
      .map((m) => m.wsdlOperation);
    expect([...ls.operations.keys()].sort()).toEqual([...described].sort());
    expect(described).toHaveLength(10);
  });

  it('R9 has the five current operations and External the two achievement-job operations (docs/lrs.md §1.2, §4.12, §4.13)', () => {
    expect([...wsdlOf('learnerServiceR9').operations.keys()].sort()).toEqual([
      'GetLearnerLearningEvents',
      'GetOrganisation',
      'LearnerByUln',
      'UpdateLearnerSubsetFields',
      'ViewAudit',
    ]);
    expect([...wsdlOf('externalService').operations.keys()].sort()).toEqual([
      'GetAchievementBatchJob',
      'SubmitAchievementBatchJob',
    ]);
  });

  for (const name of OPERATION_NAMES) {
    const spec: MessageSpec = MESSAGES[name];
    describe(`${name} (${spec.service} ${spec.wsdlOperation})`, () => {
      const wsdlOp = () => {
        const o = wsdlOf(spec.service).operations.get(spec.wsdlOperation);
        if (!o) throw new Error(`operation ${spec.wsdlOperation} missing from ${WSDL_FILES[spec.service]}`);
        return o;
      };
      it('has the same SOAPAction and request root element', () => {
        expect(wsdlOp().soapAction ?? '').toBe(spec.soapAction);
        expect(wsdlOp().root).toEqual(spec.root);
      });
      it('has the same child elements: names, namespaces, order, repetition', () => {
        expect(shape(wsdlOp().fields)).toEqual(shape(fromSpec(spec.fields)));
      });
      it('has no difference and no accepted note by the live check (src/lrs/contract.ts)', () => {
        expect(compareOperation(spec, wsdlOp(), wsdlOp())).toEqual({ differences: [], notes: [] });
      });
      it('agrees on occurs and nil', () => {
        expect(
          ruleProblems(fromSpec(spec.fields), wsdlOp().fields, spec.service === 'learnerService'),
        ).toEqual([]);
      });
    });
  }

  it('declares LearnerService.svc children unqualified, except Learner/LinkedULNs in the learner namespace', () => {
    const { defs } = wsdlOf('learnerService');
    for (const ns of ['findmsg', 'regmsg', 'batchmsg', 'vldmsg', 'reportmsg', 'learner', 'exceptions']) {
      expect(defs.schemas[`http://api.lrs.miap.gov.uk/${ns}`]?.$elementFormDefault, ns).toBe('unqualified');
    }
    const learner = defs.schemas['http://api.lrs.miap.gov.uk/learner'];
    const type = learner?.complexTypes.Learner;
    if (!learner || !type) throw new Error('Learner type missing');
    const fields = contentOf(defs, type, learner);
    expect(fields.filter((f) => f.ns !== '').map((f) => `{${f.ns}}${f.name}`)).toEqual([
      '{http://api.lrs.miap.gov.uk/learner}LinkedULNs',
    ]);
    expect(fields.find((f) => f.name === 'LinkedULNs')?.children).toEqual([
      { name: 'ULN', ns: '', min: 0, max: Infinity, nillable: false, type: 'string' },
    ]);
    expect(fields).toHaveLength(32);
  });
});

// ---------- soap builds requests from our WSDL; they must equal ours ----------

/** A wire object with keys in schema order: soap writes object keys in the order given, not the schema's. */
function inSchemaOrder(fields: readonly FieldSpec[], value: WireObject): WireObject {
  const out: WireObject = {};
  for (const f of fields) {
    const v = value[f.name];
    if (v === undefined) continue;
    const one = (x: WireValue): WireValue =>
      f.children && x !== null && typeof x === 'object' && !Array.isArray(x)
        ? inSchemaOrder(f.children, x)
        : x;
    out[f.name] = Array.isArray(v) ? v.map(one) : one(v);
  }
  return out;
}

interface Captured {
  soapAction: string | undefined;
  body: string;
}

/** A local stand-in for the LRS on 127.0.0.1: records each request, answers with a canned body. */
async function startCaptureServer(
  answer: string,
): Promise<{ server: Server; url: string; requests: Captured[] }> {
  const requests: Captured[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const action = req.headers.soapaction;
      requests.push({
        soapAction: Array.isArray(action) ? action[0] : action,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

const identity: LrsIdentity = {
  ukprn: '10099999',
  password: 'Pa55word-Pa55wd!',
  userName: 'mis.support@college.ac.uk',
  vendorId: 42,
};
const demographics = {
  familyName: "O'Brien & Sons",
  givenName: 'Test',
  dateOfBirth: '1976-08-16',
  gender: '2',
  lastKnownPostCode: 'CV4 9EE',
  previousFamilyName: '',
  placeOfBirth: 'Coventry',
};

describe('soap, given our WSDL, writes the requests our client writes', () => {
  const noMatch = readFileSync(
    new URL('../../fixtures/lrs/responses/find-no-match.response.xml', import.meta.url),
    'utf8',
  );
  let capture: Awaited<ReturnType<typeof startCaptureServer>>;

  beforeAll(async () => {
    capture = await startCaptureServer(noMatch);
  });
  afterAll(async () => {
    await closeServer(capture.server);
  });

  /** Sends `wire` through a soap client built from our WSDL and returns what reached the server. */
  async function sendWithSoap(spec: MessageSpec, wire: WireObject): Promise<Captured> {
    const client = await soap.createClientAsync(wsdlPath(spec.service), {
      disableCache: true,
      endpoint: `${capture.url}${SVC_PATHS[spec.service]}`,
    });
    const before = capture.requests.length;
    const method = client[`${spec.wsdlOperation}Async`] as (args: WireObject) => Promise<unknown>;
    await method.call(client, inSchemaOrder(spec.fields, wire)).catch(() => undefined); // the canned answer fits only finds
    const sent = capture.requests[before];
    if (!sent) throw new Error('soap sent nothing');
    return sent;
  }

  it('learnerByDemographics: soap from our WSDL = the envelope our LRS client sends (SOAP-NOTES: only with unqualified miap schemas)', async () => {
    const client = createLrsClient({
      endpoints: {
        learnerService: `${capture.url}/LearnerService.svc`,
        learnerServiceR9: '',
        externalService: '',
      },
      allowInsecureHttp: true,
      timeoutMs: 5_000,
    });
    try {
      const before = capture.requests.length;
      const result = await client.learnerByDemographics(identity, demographics);
      expect(result.outcome).toBe('no_match');
      const ours = capture.requests[before];
      if (!ours) throw new Error('our client sent nothing');

      const spec = op.learnerByDemographics.spec;
      const theirs = await sendWithSoap(spec, op.learnerByDemographics.build(identity, demographics));
      const body = canonicalBody(theirs.body);
      expect(body).toEqual(canonicalBody(ours.body));
      // The point of the exercise: children unqualified, root qualified.
      expect(body.name).toBe('{http://api.lrs.miap.gov.uk/findmsg}FindLearnerByDemographics');
      expect(body.children.map((c) => c.name)).toContain('{}FamilyName');
      expect(theirs.soapAction).toBe(ours.soapAction);
    } finally {
      await client.close();
    }
  });

  const byOrgRef: LrsIdentity = {
    organisationRef: 'ABC123',
    password: 'Pa55word-Pa55wd!',
    userName: 'ao.user',
  };
  const more: Array<[string, MessageSpec, WireObject]> = [
    [
      'learnerByUln',
      op.learnerByUln.spec,
      op.learnerByUln.build(identity, { uln: '1026893096', familyName: 'Testname', givenName: 'Sample' }),
    ],
    [
      'registerSingleLearner',
      op.registerSingleLearner.spec,
      op.registerSingleLearner.build(identity, {
        givenName: 'Sample',
        familyName: 'Testname',
        lastKnownPostCode: 'CV4 9EE',
        dateOfBirth: '1976-08-16',
        gender: '2',
        verificationType: '0',
        abilityToShare: '1',
        title: 'Ms',
        emailAddress: 'sample@college.ac.uk',
      }),
    ],
    [
      'updateSingleLearner',
      op.updateSingleLearner.spec,
      op.updateSingleLearner.build(identity, {
        givenName: 'Sample',
        familyName: 'Testname',
        lastKnownPostCode: 'CV4 9EE',
        dateOfBirth: '1976-08-16',
        gender: '2',
        verificationType: '0',
        abilityToShare: '1',
        uln: '1026893096',
        versionNumber: 3,
      }),
    ],
    [
      'verifyLearner',
      op.verifyLearner.spec,
      {
        ...op.verifyLearner.build(identity, {
          uln: '1026893096',
          familyName: 'Testname',
          givenName: 'Sample',
        }),
        LearnerToVerify: {
          ULN: '1026893096',
          FamilyName: 'Testname',
          GivenName: 'Sample',
          DateOfBirth: null,
        },
      },
    ],
    [
      'submitBatchRegistration',
      op.submitBatchRegistration.spec,
      op.submitBatchRegistration.build(identity, {
        jobType: 'FUL',
        learners: [
          {
            misIdentifier: 'STU-1',
            givenName: 'Sample',
            preferredGivenName: 'Sam',
            middleOtherName: 'M',
            familyName: 'Testname',
            emailAddress: 'a@b.ac.uk',
            gender: '2',
            abilityToShare: '1',
            verificationType: '0',
          },
          { misIdentifier: 'STU-2', givenName: 'TestOne', familyName: 'TesterOne' },
        ],
      }),
    ],
    [
      'getBatchRegistrationOutput',
      op.getBatchRegistrationOutput.spec,
      op.getBatchRegistrationOutput.build(identity, '654321'),
    ],
    [
      'submitVerifyBatch',
      op.submitVerifyBatch.spec,
      op.submitVerifyBatch.build(identity, {
        learners: [
          {
            misIdentifier: 'STU-1',
            uln: '1026893096',
            familyName: 'Testname',
            givenName: 'Sample',
            gender: '2',
          },
        ],
      }),
    ],
    ['getVerifyBatchOutput', op.getVerifyBatchOutput.spec, op.getVerifyBatchOutput.build(identity, '777')],
    ['retrieveUlns', op.retrieveUlns.spec, op.retrieveUlns.build(identity, ['4444599390', '1026893096'])],
    [
      'getLearnerLearningEvents',
      op.getLearnerLearningEvents.spec,
      op.getLearnerLearningEvents.build(identity, {
        uln: '1174112637',
        givenName: 'TestOne',
        familyName: 'TesterOne',
        dateOfBirth: '1980-11-01',
      }),
    ],
    [
      'learnerByUlnR9',
      op.learnerByUlnR9.spec,
      op.learnerByUlnR9.build(identity, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
    ],
    [
      'getAchievementBatchJob',
      op.getAchievementBatchJob.spec,
      op.getAchievementBatchJob.build(byOrgRef, 987654),
    ],
  ];

  for (const [name, spec, wire] of more) {
    it(`${name}: soap from our WSDL = buildEnvelope, SOAPAction included`, async () => {
      const theirs = await sendWithSoap(spec, wire);
      expect(canonicalBody(theirs.body)).toEqual(canonicalBody(buildEnvelope(spec, wire)));
      expect(theirs.soapAction).toBe(buildHeaders(spec).soapaction);
    });
  }
});

// ---------- the simulator serves these files ----------

describe('the simulator serves our WSDLs', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await createSimulator({ port: 0, host: '127.0.0.1' }).listen();
  });
  afterAll(async () => {
    await sim.close();
  });

  for (const service of SERVICES) {
    it(`GET ${SVC_PATHS[service]}?singleWsdl returns ${WSDL_FILES[service]} with the simulator's own address in soap:address`, async () => {
      const res = await fetch(`${sim.url}${SVC_PATHS[service]}?singleWsdl`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/xml/);
      const body = await res.text();
      const file = readFileSync(wsdlPath(service), 'utf8');
      const production = `https://ws.lrs.education.gov.uk${SVC_PATHS[service]}`;
      // Only the address changes: one document, every schema inline, nothing else touched.
      expect(body).toBe(
        file.replace(`location="${production}"`, `location="${sim.url}${SVC_PATHS[service]}"`),
      );
      expect(body).not.toContain(production);
      const read = await readWsdlText(body, 'served');
      expect(Object.values(read.addresses)).toEqual([`${sim.url}${SVC_PATHS[service]}`]);
      expect(body).not.toMatch(/schemaLocation=|<wsdl:import/);
    });
  }

  it('names the host the client asked for (a port mapping), and ignores a Host header that is not a host', async () => {
    const get = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const u = new URL(`${sim.url}/ExternalService.svc?singleWsdl`);
        const req = request(
          { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { host } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await get('lrs-sim.example:8080')).toContain(
      'location="http://lrs-sim.example:8080/ExternalService.svc"',
    );
    expect(await get('x"/><evil')).toContain(`location="${sim.url}/ExternalService.svc"`);
  });
});
