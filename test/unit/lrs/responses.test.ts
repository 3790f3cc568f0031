import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSample } from '../../../src/cli/conformance.ts';
import { LrsError } from '../../../src/lrs/errors.ts';
import * as op from '../../../src/lrs/operations/index.ts';
import { decodeErrorDetail, readLrsAnswer, redactFaultText } from '../../../src/lrs/response.ts';
import { domainFault, maintenanceFault } from '../../../src/simulator/faults.ts';

const load = (name: string) =>
  readFileSync(new URL(`../../fixtures/lrs/responses/${name}`, import.meta.url), 'utf8');
const body = (name: string, status = 200) => readLrsAnswer({ status, body: load(name) });
const failure = (name: string, status = 500): LrsError => failureOf(load(name), status);
const failureOf = (body: string, status = 500): LrsError => {
  try {
    readLrsAnswer({ status, body });
  } catch (e) {
    if (e instanceof LrsError) return e;
    throw e;
  }
  throw new Error('expected an LrsError');
};

describe('find responses', () => {
  it('exact match: learner record, trailing spaces kept, nil and empty read as absent', () => {
    const r = op.learnerByUln.parse(body('find-exact.response.xml'));
    expect(r).toMatchObject({ code: 'WSRC0004', codeSource: 'lrs', class: 'success', outcome: 'exact' });
    if (r.outcome !== 'exact') throw new Error('not exact');
    expect(r.learner.uln).toBe('1026893096');
    expect(r.learner.schoolAtAge16).toBe('Test Academy Bristol ');
    expect(r.learner.placeOfBirth).toBeUndefined();
    expect(r.learner.emailAddress).toBeUndefined();
    expect(r.learner.notes).toBeUndefined();
    expect(r.learner.linkedUlns).toEqual([]);
    expect(r.learner.versionNumber).toBe(4);
  });
  it('one possible candidate is still a list', () => {
    const r = op.learnerByDemographics.parse(body('find-possible-one-candidate.response.xml'));
    expect(r.outcome).toBe('possible');
    if (r.outcome === 'possible') expect(r.candidates.map((c) => c.uln)).toEqual(['1964986809']);
  });
  it('two candidates under other prefixes', () => {
    const r = op.learnerByDemographics.parse(
      body('find-possible-two-candidates-other-prefixes.response.xml'),
    );
    if (r.outcome !== 'possible') throw new Error(r.outcome);
    expect(r.candidates.map((c) => c.uln)).toEqual(['1964986809', '9276308686']);
  });
  it('linked learner: master record and the merged ULNs (qualified wrapper, unqualified ULN)', () => {
    const r = op.learnerByDemographics.parse(body('find-linked.response.xml'));
    expect(r).toMatchObject({ code: 'WSRC0022', outcome: 'linked', linkedUlns: ['4444599390'] });
  });
  it('no match and too many', () => {
    expect(op.learnerByDemographics.parse(body('find-no-match.response.xml'))).toMatchObject({
      outcome: 'no_match',
      class: 'outcome',
    });
    expect(op.learnerByDemographics.parse(body('find-too-many.response.xml'))).toMatchObject({
      outcome: 'too_many',
      class: 'needs_action',
    });
  });
  it('an unknown code is kept verbatim, classed unknown, with the learners it came with', () => {
    const r = op.learnerByDemographics.parse(body('find-unknown-code.response.xml'));
    expect(r).toMatchObject({ code: 'WSRC0099', codeSource: 'lrs', class: 'unknown', outcome: 'unknown' });
    if (r.outcome === 'unknown') expect(r.learners).toHaveLength(1);
  });
});

describe('other LearnerService responses', () => {
  it('register, update, verify', () => {
    expect(op.registerSingleLearner.parse(body('register-WSRC0005.response.xml'))).toMatchObject({
      outcome: 'registered',
      uln: '9276308686',
    });
    expect(op.registerSingleLearner.parse(body('register-WSRC0021.response.xml'))).toMatchObject({
      outcome: 'refused',
      class: 'needs_action',
    });
    expect(op.updateSingleLearner.parse(body('update-WSRC0013.response.xml'))).toMatchObject({
      outcome: 'stale_version',
    });
    const v = op.verifyLearner.parse(body('verify-WSVRC004-flags.response.xml'));
    expect(v).toMatchObject({
      code: 'WSVRC004',
      class: 'needs_action',
      verified: { searchedUln: '4444599390', uln: '6936002314', failureFlags: ['VRF1', 'VRF7'] },
    });
  });
  it('batches: job ids, running, complete with counters and rows', () => {
    expect(op.submitBatchRegistration.parse(body('submit-batch-WSRC0007.response.xml'))).toMatchObject({
      code: 'WSRC0007',
      jobId: '100042',
    });
    expect(op.submitVerifyBatch.parse(body('submit-verify-batch-WSRC0007.response.xml'))).toMatchObject({
      jobId: '777',
    });
    expect(
      op.getBatchRegistrationOutput.parse(body('batch-output-running-WSRC0008.response.xml')),
    ).toMatchObject({ state: 'running', class: 'retryable', learners: [] });
    const out = op.getBatchRegistrationOutput.parse(body('batch-output-complete.response.xml'));
    expect(out).toMatchObject({
      state: 'done',
      counters: { newLearnersCount: 1, existsUpdatedLearnersCount: 1, rejectedLearnersCount: 0 },
    });
    expect(out.learners.map((l) => [l.misIdentifier, l.returnCode])).toEqual([
      ['STU-0001', 'RC001'],
      ['STU-0002', 'RC002'],
    ]);
    const vb = op.getVerifyBatchOutput.parse(body('verify-batch-output.response.xml'));
    expect(vb.learners.map((l) => l.responseCode)).toEqual(['WSVRC001', 'WSVRC006']);
  });
  it('retrieveULNs has only per-ULN codes, so the overall code is ours', () => {
    const r = op.retrieveUlns.parse(body('retrieve-ulns.response.xml'));
    expect(r).toMatchObject({ code: 'RESPONSE_READ', codeSource: 'relay' });
    expect(r.ulns).toEqual([
      { uln: '4444599390', masterUln: '6936002314', responseCode: 'WSRC0022' },
      { uln: '1026893096', responseCode: 'WSRC0004' },
    ]);
  });
});

describe('R9 and External responses', () => {
  it('a long linked PLR reads every event', () => {
    const r = op.getLearnerLearningEvents.parse(body('plr-linked-long.response.xml'));
    expect(r).toMatchObject({ outcome: 'linked', foundUln: '6936002314', incomingUln: '4444599390' });
    expect(r.events).toHaveLength(18);
    expect(r.events[3]).toMatchObject({
      id: 1003,
      credits: 3,
      subject: 'GCSE in Subject 3 & More',
      source: 'ILR',
    });
    expect(r.events[3]?.level).toBeUndefined();
    expect(r.events[3]?.participationEndDate).toBeUndefined();
  });
  it('one event is still a list; not shared / not verified', () => {
    expect(op.getLearnerLearningEvents.parse(body('plr-found-one-event.response.xml')).events).toHaveLength(
      1,
    );
    expect(op.getLearnerLearningEvents.parse(body('plr-not-shared-WSEC0206.response.xml'))).toMatchObject({
      outcome: 'not_shared',
      foundUln: '1174112637',
      events: [],
    });
    expect(op.getLearnerLearningEvents.parse(body('plr-not-verified-WSEC0208.response.xml'))).toMatchObject({
      outcome: 'not_verified',
      foundUln: undefined,
      events: [],
    });
  });
  it('LearnerByUln (R9) and achievement jobs', () => {
    expect(op.learnerByUlnR9.parse(body('r9-learner-by-uln.response.xml'))).toMatchObject({
      code: 'WSRC0004',
      uln: '1026893096',
      learner: { uln: '1026893096', versionNumber: '4' },
    });
    expect(op.submitAchievementBatchJob.parse(body('achievement-submit.response.xml'))).toMatchObject({
      jobId: 987654,
    });
    expect(op.getAchievementBatchJob.parse(body('achievement-job-in-progress.response.xml'))).toMatchObject({
      state: 'running',
      status: 'InProgress',
      numberOfRecords: 3,
      rejectionReason: undefined,
    });
  });
});

describe('faults and non-SOAP answers', () => {
  it('MIAPAPIException: the LRS code, unqualified detail children, the sent value redacted', () => {
    const e = failure('fault-WSEC0001-schema.response.xml');
    expect(e).toMatchObject({
      code: 'WSEC0001',
      codeSource: 'lrs',
      class: 'data_error',
      retryable: false,
      httpStatus: 500,
    });
    expect(e.description).toMatch(/badly formed/);
    expect(e.furtherDetails).toContain("Value '[redacted]'");
    expect(e.furtherDetails).not.toContain('Secretname');
    expect(e.furtherDetails).toContain('MIAPNameNonEmpty');
  });
  it('every Xerces/.NET form that quotes the sent value is redacted', () => {
    const texts = [
      "cvc-maxLength-valid: Value 'Secretname' with length = '10' is not facet-valid with respect to maxLength '5'.",
      "cvc-datatype-valid.1.2.1: '2023-02-30' is not a valid value for 'date'.",
      "cvc-type.3.1.3: The value '2023-02-30' of element 'DateOfBirth' is not valid.",
      "cvc-attribute.3: The value 'O''Secret' of attribute 'a' on element 'b' is not valid with respect to its type, 'c'.",
      "The value 'Secretname' cannot be parsed as the type 'Int32'.",
    ];
    for (const t of texts) {
      const r = redactFaultText(t) ?? '';
      expect(r).toContain("'[redacted]'");
      expect(r).not.toMatch(/Secret|2023-02-30/);
    }
    expect(redactFaultText("cvc-type.3.1.3: The value '1' of element 'DateOfBirth' is not valid.")).toContain(
      "element 'DateOfBirth'",
    );
  });
  it('DomainFault carries its ErrorCode', () => {
    expect(failure('fault-WSEC0005-domain.response.xml')).toMatchObject({
      code: 'WSEC0005',
      codeSource: 'lrs',
      class: 'config_error',
    });
  });
  it("DomainFault's base64 ErrorDetail is kept decoded, so the learner's values in it can be redacted", () => {
    const body = domainFault('WSEC0001', 'GivenName Zephyrine is not valid');
    expect(failureOf(body)).toMatchObject({
      code: 'WSEC0001',
      furtherDetails: 'GivenName Zephyrine is not valid',
    });
    // Not base64 of text: kept as sent.
    expect(decodeErrorDetail('not base64!')).toBe('not base64!');
    expect(decodeErrorDetail(Buffer.from([0, 1, 2, 255]).toString('base64'))).toBe('AAEC/w==');
  });
  it('WCF ActionNotSupported is our SOAP_FAULT, never an LRS code', () => {
    expect(failure('fault-action-not-supported.response.xml')).toMatchObject({
      code: 'SOAP_FAULT',
      codeSource: 'relay',
    });
  });
  it('HTTP 405 HTML page is LRS_MAINTENANCE, retryable', () => {
    expect(failure('maintenance.html', 405)).toMatchObject({
      code: 'LRS_MAINTENANCE',
      codeSource: 'relay',
      retryable: true,
    });
  });
  it('maintenance in SOAP form is LRS_MAINTENANCE too: HTTP 405, or a fault saying UnsupportedHttpVerb', () => {
    const code = (status: number, b: string) => {
      try {
        readLrsAnswer({ status, body: b }, 'learnerByULN', ['learnerByULNResponse']);
      } catch (e) {
        return e instanceof LrsError ? { code: e.code, retryable: e.retryable } : e;
      }
      return 'none';
    };
    const maintenance = { code: 'LRS_MAINTENANCE', retryable: true };
    // The LRS's maintenance fault (ErrorCode WSEC0001, Description UnsupportedHttpVerb): maintenance, not a
    // data error, at HTTP 405 and at 500 alike (a gateway may turn the 405 into a 500).
    const real = load('fault-maintenance-UnsupportedHttpVerb.response.xml');
    expect(code(405, real)).toEqual(maintenance);
    expect(code(500, real)).toEqual(maintenance);
    // Whatever the ErrorCode: the Description or FurtherDetails alone names it.
    expect(code(500, real.replace('WSEC0001', 'WSEC0999'))).toEqual(maintenance);
    expect(
      code(500, real.replace('<Description>UnsupportedHttpVerb', '<Description>Invalid request')),
    ).toEqual(maintenance);
    // The simulator's maintenanceFault is that shape.
    expect(code(405, maintenanceFault(0))).toEqual(maintenance);
    expect(code(500, maintenanceFault(0))).toEqual(maintenance);
    // A fault without an ErrorCode whose text names it, whatever the status.
    const wcf = (faultcode: string, text = 'The resource is not available.') =>
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>${faultcode}</faultcode>` +
      `<faultstring>${text}</faultstring></s:Fault></s:Body></s:Envelope>`;
    expect(code(500, wcf('s:Server', 'UnsupportedHttpVerb: not supported'))).toEqual(maintenance);
    // A 405 alone, whatever the body: a client fault, a server fault, an LRS code, a SOAP body that is no fault.
    expect(code(405, wcf('s:Client'))).toEqual(maintenance);
    expect(code(405, wcf('s:Server'))).toEqual(maintenance);
    expect(code(405, load('fault-WSEC0001-schema.response.xml'))).toEqual(maintenance);
    expect(code(405, load('find-exact.response.xml'))).toEqual(maintenance);
    // Without the 405 or the words, the same faults keep their meaning; a schema fault that merely quotes the
    // word inside a value is still the data error it is.
    expect(code(500, wcf('s:Client'))).toMatchObject({ code: 'SOAP_FAULT' });
    expect(code(500, wcf('s:Server'))).toMatchObject({ code: 'LRS_INTERNAL_ERROR' });
    expect(code(500, load('fault-WSEC0001-schema.response.xml'))).toMatchObject({ code: 'WSEC0001' });
    expect(
      code(500, load('fault-WSEC0001-schema.response.xml').replace('Secretname', 'UnsupportedHttpVerb')),
    ).toMatchObject({ code: 'WSEC0001' });
  });
  it('the maintenance fault keeps what the LRS said, as text of our LRS_MAINTENANCE', () => {
    const e = failure('fault-maintenance-UnsupportedHttpVerb.response.xml', 405);
    expect(e).toMatchObject({
      code: 'LRS_MAINTENANCE',
      codeSource: 'relay',
      class: 'retryable',
      description: 'UnsupportedHttpVerb: UnsupportedHttpVerb GET',
    });
    expect(e.message).toContain('WSEC0001');
  });
  it('other HTML, JSON or empty bodies are NON_SOAP_RESPONSE / HTTP_ERROR', () => {
    const other = (status: number, b: string) => {
      try {
        readLrsAnswer({ status, body: b });
      } catch (e) {
        return (e as LrsError).code;
      }
      return 'none';
    };
    expect(other(502, '<html><body>Bad gateway</body></html>')).toBe('NON_SOAP_RESPONSE');
    expect(other(200, '{"ok":true}')).toBe('NON_SOAP_RESPONSE');
    expect(other(503, '')).toBe('HTTP_ERROR');
  });
  it('a truncated or otherwise malformed SOAP body is never read as an answer', () => {
    const whole = load('find-exact.response.xml');
    for (const broken of [
      whole.slice(0, whole.indexOf('</ULN>') + 6),
      whole.replace('<ULN>', '<ULN>&nbsp;'),
    ]) {
      expect(() => readLrsAnswer({ status: 200, body: broken })).toThrow(
        expect.objectContaining({ code: 'NON_SOAP_RESPONSE' }),
      );
    }
  });
  it('a DOCTYPE with an external entity is refused, never resolved', () => {
    const e = failure('hostile-external-entity.response.xml', 200);
    expect(e).toMatchObject({ code: 'MALFORMED_RESPONSE', codeSource: 'relay' });
    expect(JSON.stringify(e.toJSON())).not.toMatch(/root:|passwd:/);
  });
});

describe('conformance over our fixtures', () => {
  it('recognises every response with the code it carries', () => {
    const expectCode = (file: string, code: string) => expect(checkSample(file, load(file)).code).toBe(code);
    expectCode('find-linked.response.xml', 'WSRC0022');
    expectCode('plr-not-shared-WSEC0206.response.xml', 'WSEC0206');
    expectCode('maintenance.html', 'LRS_MAINTENANCE');
    expectCode('fault-WSEC0001-schema.response.xml', 'WSEC0001');
    expect(checkSample('plr-linked-long.response.xml', load('plr-linked-long.response.xml'))).toMatchObject({
      operation: 'getLearnerLearningEvents',
      events: 18,
    });
  });

  it("reports a verify answer's failure flags, count and values, and none for other answers", () => {
    const check = (file: string) => checkSample(file, load(file));
    expect(check('verify-WSVRC004-flags.response.xml')).toMatchObject({
      code: 'WSVRC004',
      flags: 2,
      flagValues: ['VRF1', 'VRF7'],
    });
    expect(check('verify-batch-output.response.xml')).toMatchObject({ flags: 0, flagValues: [] });
    expect(check('find-linked.response.xml').flags).toBeUndefined();
  });
});
