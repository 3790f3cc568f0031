/**
 * The contract comparison of `lrs-relay wsdl check` (src/lrs/contract.ts), on changed copies of our
 * own WSDLs read from memory: each kind of drift is reported in plain words with ours and theirs, a
 * looser published WSDL is not, and nothing makes soap fetch another document.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareService,
  readWsdlText,
  WsdlReadError,
  type ContractDifference,
} from '../../../src/lrs/contract.ts';
import type { ServiceName } from '../../../src/lrs/messages.ts';
import {
  actionAsString,
  addAnswerElement,
  answerOccursChanged,
  createdCountAsString,
  editAfter,
  ourWsdl,
  removeAnswerFoundUln,
  renameAnswerGrade,
  swapAnswerUlns,
  renameElement,
  requireTitle,
  singleUln,
  swapOrder,
  unqualifyJobId,
} from './wsdl-copies.ts';

/** Our own WSDL of a service, read as `wsdl check` reads it: the description of the answers. */
const bundled = (service: ServiceName) => readWsdlText(ourWsdl(service));

/** compareService of a WSDL given as text, against our own WSDL of the service. */
async function compare(service: ServiceName, text: string) {
  return compareService(service, await readWsdlText(text), await bundled(service));
}

async function differencesOf(service: ServiceName, text: string): Promise<ContractDifference[]> {
  return (await compare(service, text)).differences;
}

describe('compareService on our own WSDLs', () => {
  it('finds every operation we use equal, and lists the ones we do not use', async () => {
    const ls = await compare('learnerService', ourWsdl('learnerService'));
    expect(ls.differences).toEqual([]);
    expect(ls.notes).toEqual([]);
    expect(ls.equal).toHaveLength(10);
    const r9 = await compare('learnerServiceR9', ourWsdl('learnerServiceR9'));
    expect(r9.equal.sort()).toEqual(['GetLearnerLearningEvents', 'LearnerByUln']);
    expect(r9.unused.sort()).toEqual(['GetOrganisation', 'UpdateLearnerSubsetFields', 'ViewAudit']);
  });
});

describe('compareService reports drift', () => {
  it('an element renamed', async () => {
    expect(await differencesOf('learnerService', renameElement(ourWsdl('learnerService')))).toEqual([
      {
        operation: 'learnerByDemographics',
        path: 'request FindLearnerByDemographics/LastKnownPostCode',
        what: 'element renamed',
        ours: 'LastKnownPostCode',
        theirs: 'PostCode',
      },
    ]);
  });

  it('two elements in another order', async () => {
    expect(await differencesOf('learnerService', swapOrder(ourWsdl('learnerService')))).toEqual([
      {
        operation: 'learnerByULN',
        path: 'request FindLearnerByULN',
        what: 'order of elements',
        ours: 'FindType, OrganisationRef, UKPRN, OrgPassword, UserName, ULN, FamilyName, GivenName',
        theirs: 'FindType, OrganisationRef, UKPRN, OrgPassword, UserName, ULN, GivenName, FamilyName',
      },
    ]);
  });

  it('an optional element made required, and a repeated one limited to one', async () => {
    const d = await differencesOf('learnerService', singleUln(requireTitle(ourWsdl('learnerService'))));
    expect(d).toEqual([
      {
        operation: 'registerSingleLearner',
        path: 'request RegisterLearner/Learner/Title',
        what: 'minOccurs (the WSDL requires an element we may leave out)',
        ours: '0',
        theirs: '1',
      },
      {
        operation: 'updateSingleLearner', // LearnerToUpdate extends LearnerToRegister
        path: 'request UpdateLearner/Learner/Title',
        what: 'minOccurs (the WSDL requires an element we may leave out)',
        ours: '0',
        theirs: '1',
      },
      {
        operation: 'retrieveULNs',
        path: 'request RetrieveULNs/ULNsToRetrieve/ULN',
        what: 'maxOccurs (we may send more than the WSDL allows)',
        ours: '200',
        theirs: '1',
      },
    ]);
  });

  it("an element's type changed, in a request and in an answer (xs:int → xs:string)", async () => {
    const text = createdCountAsString(actionAsString(ourWsdl('externalService')));
    expect(await differencesOf('externalService', text)).toEqual([
      {
        operation: 'SubmitAchievementBatchJob',
        path: 'request SubmitAchievementBatchJob/achievements/Achievement/Action',
        what: 'type',
        ours: 'xs:int',
        theirs: 'xs:string',
      },
      {
        operation: 'GetAchievementBatchJob',
        path: 'response GetAchievementBatchJobResponse/GetAchievementBatchJobResult/AchievementsCreated',
        what: 'type',
        ours: 'xs:int',
        theirs: 'xs:string',
      },
    ]);
  });

  it('a named simple type is compared by the built-in type it restricts', async () => {
    const text = editAfter(
      ourWsdl('externalService'),
      '<xs:simpleType name="AchievementBatchJobStatus">',
      'base="xs:string"',
      'base="xs:int"',
    );
    expect(await differencesOf('externalService', text)).toEqual([
      {
        operation: 'GetAchievementBatchJob',
        path: 'response GetAchievementBatchJobResponse/GetAchievementBatchJobResult/Status',
        what: 'type',
        ours: 'xs:string',
        theirs: 'xs:int',
      },
    ]);
  });

  it('an element in another namespace (qualification)', async () => {
    expect(await differencesOf('externalService', unqualifyJobId(ourWsdl('externalService')))).toEqual([
      {
        operation: 'GetAchievementBatchJob',
        path: 'request GetAchievementBatchJob/jobId',
        what: 'namespace',
        ours: 'qualified in http://api.lrs.qcf.gov.uk/services',
        theirs: 'unqualified',
      },
    ]);
  });

  it("a whole schema's elementFormDefault changed: every child of its messages", async () => {
    const text = editAfter(
      ourWsdl('learnerService'),
      'targetNamespace="http://api.lrs.miap.gov.uk/findmsg"',
      'elementFormDefault="unqualified"',
      'elementFormDefault="qualified"',
    );
    const d = await differencesOf('learnerService', text);
    expect(new Set(d.map((x) => x.operation))).toEqual(new Set(['learnerByULN', 'learnerByDemographics']));
    expect(
      d.every(
        (x) => x.what === 'namespace' && x.theirs === 'qualified in http://api.lrs.miap.gov.uk/findmsg',
      ),
    ).toBe(true);
    // Requests: 8 + 14 children; answers: the children of both responses (docs/lrs.md §4.1, §4.2).
    expect(d.filter((x) => x.path.startsWith('request '))).toHaveLength(8 + 14);
    expect(d.filter((x) => x.path.startsWith('response '))).toHaveLength(24);
  });

  it('an element we send removed, a required one added, and the WCF result wrapper renamed', async () => {
    let text = editAfter(
      ourWsdl('learnerServiceR9'),
      '<xs:complexType name="InvokingOrganisationR10">',
      '<xs:element name="Username" type="xs:string" minOccurs="0" nillable="true"/>',
      '<xs:element name="Channel" type="xs:string"/>',
    );
    text = editAfter(
      text,
      '<xs:element name="GetLearnerLearningEventsResponse">',
      'name="GetLearnerLearningEventsResult"',
      'name="Result"',
    );
    expect(await differencesOf('learnerServiceR9', text)).toEqual([
      {
        operation: 'GetLearnerLearningEvents',
        path: 'request GetLearnerLearningEvents/invokingOrganisation/Username',
        what: 'element renamed',
        ours: '{http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface}Username',
        theirs: '{http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface}Channel',
      },
      {
        operation: 'GetLearnerLearningEvents',
        path: 'response GetLearnerLearningEventsResponse/GetLearnerLearningEventsResult',
        what: 'result wrapper element',
        ours: '{http://tempuri.org/}GetLearnerLearningEventsResult',
        theirs: '{http://tempuri.org/}Result',
      },
    ]);
  });

  it('an operation we use missing, and a SOAPAction changed', async () => {
    let text = ourWsdl('externalService').replaceAll(
      '<wsdl:operation name="SubmitAchievementBatchJob">',
      '<wsdl:operation name="SubmitAchievementBatchJob2">',
    );
    text = editAfter(
      text,
      '<wsdl:operation name="GetAchievementBatchJob">',
      'IExternalService/GetAchievementBatchJob"',
      'IExternalService/GetJob"',
    );
    const d = await differencesOf('externalService', text);
    expect(d.map((x) => [x.operation, x.what, x.theirs])).toEqual([
      ['SubmitAchievementBatchJob', 'operation missing from the WSDL', 'absent'],
      ['GetAchievementBatchJob', 'SOAPAction', 'http://api.lrs.qcf.gov.uk/services/IExternalService/GetJob'],
    ]);
  });
});

describe('compareService reports drift in the answers (our WSDL of the service against theirs)', () => {
  const R9 = 'learnerServiceR9';
  const RESULT = 'response GetLearnerLearningEventsResponse/GetLearnerLearningEventsResult';
  const MDL = 'http://api.lrs.qcf.gov.uk/model';

  it('a child deep in the answer renamed', async () => {
    expect(await differencesOf(R9, renameAnswerGrade(ourWsdl(R9)))).toEqual([
      {
        operation: 'GetLearnerLearningEvents',
        path: `${RESULT}/LearnerRecord/LearningEvent/Grade`,
        what: 'element renamed',
        ours: `{${MDL}}Grade`,
        theirs: `{${MDL}}Mark`,
      },
    ]);
  });

  it('a child of the answer removed', async () => {
    expect(await differencesOf(R9, removeAnswerFoundUln(ourWsdl(R9)))).toEqual([
      {
        operation: 'GetLearnerLearningEvents',
        path: `${RESULT}/FoundULN`,
        what: 'element missing from the WSDL',
        ours: `{${MDL}}FoundULN at position 2`,
        theirs: 'absent',
      },
    ]);
  });

  it('an element added that lrs-relay never reads: still a difference, said to be added', async () => {
    expect(await differencesOf(R9, addAnswerElement(ourWsdl(R9)))).toEqual([
      {
        operation: 'GetLearnerLearningEvents',
        path: `${RESULT}/Notes`,
        what: 'element added to the answer (lrs-relay does not read it)',
        ours: 'absent',
        theirs: `{${MDL}}Notes at position 5, minOccurs 0`,
      },
    ]);
  });

  it('two children in another order', async () => {
    expect(await differencesOf(R9, swapAnswerUlns(ourWsdl(R9)))).toEqual([
      {
        operation: 'GetLearnerLearningEvents',
        path: RESULT,
        what: 'order of elements',
        ours: 'ResponseCode, FoundULN, IncomingULN, LearnerRecord',
        theirs: 'ResponseCode, IncomingULN, FoundULN, LearnerRecord',
      },
    ]);
  });

  it('occurs changed either way: maxOccurs lowered, minOccurs raised', async () => {
    expect(await differencesOf(R9, answerOccursChanged(ourWsdl(R9)))).toEqual([
      {
        operation: 'GetLearnerLearningEvents',
        path: `${RESULT}/LearnerRecord/LearningEvent`,
        what: 'maxOccurs',
        ours: 'unbounded',
        theirs: '1',
      },
      {
        operation: 'GetLearnerLearningEvents',
        path: `${RESULT}/LearnerRecord/LearningEvent/Credits`,
        what: 'minOccurs',
        ours: '0',
        theirs: '1',
      },
    ]);
  });

  it('a child of the answer no longer qualified', async () => {
    const text = editAfter(
      ourWsdl(R9),
      '<xs:complexType name="GetLearnerLearningEventsResponse">',
      '<xs:element name="IncomingULN"',
      '<xs:element form="unqualified" name="IncomingULN"',
    );
    expect(await differencesOf(R9, text)).toEqual([
      {
        operation: 'GetLearnerLearningEvents',
        path: `${RESULT}/IncomingULN`,
        what: 'namespace',
        ours: `qualified in ${MDL}`,
        theirs: 'unqualified',
      },
    ]);
  });

  it('where our WSDL leaves the content open (xs:any), the elements theirs names there are accepted; beside it, a change is not', async () => {
    let text = editAfter(
      ourWsdl(R9),
      '<xs:complexType name="Learner">',
      '<xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>',
      '<xs:element name="AbilityToShare" type="xs:int" minOccurs="0"/><xs:element name="Uln" type="xs:string" minOccurs="0" nillable="true"/>',
    );
    text = editAfter(
      text,
      '<xs:complexType name="LearnerByUlnResponse">',
      '<xs:element name="Uln" type="xs:string" minOccurs="0" nillable="true"/>',
      '<xs:element name="Uln" type="xs:string" minOccurs="0"/>',
    );
    expect(await differencesOf(R9, text)).toEqual([
      {
        operation: 'LearnerByUln',
        path: 'response LearnerByUlnResponse/LearnerByUlnResult/Uln',
        what: 'nillable',
        ours: 'nillable',
        theirs: 'not nillable',
      },
    ]);
  });

  it('on LearnerService.svc an answer element only looser than our strict occurs is a note; a tighter one is a difference', async () => {
    let text = editAfter(
      ourWsdl('learnerService'),
      '<xs:complexType name="RetrievedULNList">',
      'maxOccurs="200"',
      'maxOccurs="unbounded"',
    );
    text = editAfter(
      text,
      '<xs:complexType name="RetrievedULNList">',
      'maxOccurs="unbounded"',
      'minOccurs="0" maxOccurs="unbounded"',
    );
    const loose = await compare('learnerService', text);
    expect(loose.differences).toEqual([]);
    expect(loose.notes.map((n) => [n.path, n.ours, n.theirs])).toEqual([
      ['response RetrieveULNsResponse/RetrievedULNs/VerifiedULN', '1', '0'],
      ['response RetrieveULNsResponse/RetrievedULNs/VerifiedULN', '200', 'unbounded'],
    ]);
    const tight = editAfter(
      ourWsdl('learnerService'),
      '<xs:complexType name="RetrievedULNList">',
      'maxOccurs="200"',
      'maxOccurs="100"',
    );
    expect(await differencesOf('learnerService', tight)).toEqual([
      {
        operation: 'retrieveULNs',
        path: 'response RetrieveULNsResponse/RetrievedULNs/VerifiedULN',
        what: 'maxOccurs',
        ours: '200',
        theirs: '100',
      },
    ]);
  });
});

describe('the published WSDL is looser than the strict schema LearnerService.svc validates with (docs/lrs.md §1.2)', () => {
  const requireNillableUkprn = (t: string) =>
    editAfter(
      t,
      '<xs:element name="FindLearnerByULN">',
      '<xs:element name="UKPRN" type="xs:string" minOccurs="0" nillable="true"/>',
      '<xs:element name="UKPRN" type="xs:string" nillable="true"/>',
    );

  it('on LearnerService.svc, a nillable element the WSDL requires and we may omit is a note, not a difference', async () => {
    const r = await compare('learnerService', requireNillableUkprn(ourWsdl('learnerService')));
    expect(r.differences).toEqual([]);
    expect(r.notes.map((n) => [n.operation, n.path, n.ours, n.theirs])).toEqual([
      ['learnerByULN', 'request FindLearnerByULN/UKPRN', '0', '1'],
    ]);
    expect(r.equal).toContain('learnerByULN');
  });

  it('on R9 the same change is a difference', async () => {
    const text = editAfter(
      ourWsdl('learnerServiceR9'),
      '<xs:complexType name="InvokingOrganisationR10">',
      '<xs:element name="Ukprn" type="xs:string" minOccurs="0" nillable="true"/>',
      '<xs:element name="Ukprn" type="xs:string" nillable="true"/>',
    );
    expect((await differencesOf('learnerServiceR9', text)).map((d) => d.path)).toEqual([
      'request GetLearnerLearningEvents/invokingOrganisation/Ukprn',
    ]);
  });
});

describe('readWsdlText refuses what would make soap reach elsewhere', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('an xs:import with a schemaLocation: refused, and nothing is fetched', async () => {
    const text = editAfter(
      ourWsdl('externalService'),
      '<xs:import namespace="http://api.lrs.qcf.gov.uk/model"',
      '/>',
      ` schemaLocation="${url}/model.xsd"/>`,
    );
    const e = await readWsdlText(text, 'the WSDL').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WsdlReadError);
    expect((e as Error).message).toBe(
      `the WSDL imports ${url}/model.xsd: external imports are refused (a ?singleWsdl document holds every schema inline)`,
    );
    expect(hits).toBe(0);
  });

  it('a wsdl:import: refused, and nothing is fetched', async () => {
    const text = ourWsdl('externalService').replace(
      '<wsdl:types>',
      `<wsdl:import namespace="urn:x" location="${url}/more.wsdl"/><wsdl:types>`,
    );
    await expect(readWsdlText(text, 'the WSDL')).rejects.toThrow(
      /imports .*more\.wsdl: external imports are refused/,
    );
    expect(hits).toBe(0);
  });

  it('a type that contains itself: a clear error, not an endless walk', async () => {
    const text = editAfter(
      ourWsdl('externalService'),
      '<xs:complexType name="User">',
      '<xs:sequence>',
      '<xs:sequence><xs:element name="Again" type="mdl:User" minOccurs="0"/>',
    );
    await expect(readWsdlText(text, 'the WSDL')).rejects.toThrow(
      'the WSDL: types nest more than 32 deep (a recursive type?)',
    );
  });

  it('types that fan out (4 children of the next type, 12 levels: 16 million paths): refused quickly', async () => {
    const level = (i: number) =>
      `<xs:complexType name="Fan${i}"><xs:sequence>${[1, 2, 3, 4]
        .map((k) => `<xs:element name="F${k}" type="mdl:Fan${i + 1}" minOccurs="0"/>`)
        .join('')}</xs:sequence></xs:complexType>`;
    const types = Array.from({ length: 12 }, (_, i) => level(i)).join('') + '<xs:complexType name="Fan12"/>';
    let text = editAfter(
      ourWsdl('externalService'),
      '<xs:complexType name="User">',
      '<xs:sequence>',
      '<xs:sequence><xs:element name="Fan" type="mdl:Fan0" minOccurs="0"/>',
    );
    text = editAfter(text, '<xs:complexType name="User">', '</xs:complexType>', `</xs:complexType>${types}`);
    const started = Date.now();
    await expect(readWsdlText(text, 'the WSDL')).rejects.toThrow(
      'the WSDL: a message holds more than 20000 elements: refused (types that nest without end?)',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a DOCTYPE (entity expansion) is refused; text that is not a WSDL says so', async () => {
    await expect(
      readWsdlText('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 'the WSDL'),
    ).rejects.toThrow('the WSDL: a DOCTYPE is refused');
    await expect(readWsdlText('<html><body>Service unavailable</body></html>', 'the WSDL')).rejects.toThrow(
      WsdlReadError,
    );
  });
});
