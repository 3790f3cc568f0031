/**
 * The LRS client: validate → build → send → read, one path for all fourteen operations.
 *
 * Why envelopes are built from our own message descriptions (messages.ts) and not by the `soap`
 * package at runtime (measured, see SOAP-NOTES): with the WSDL as published soap qualifies every
 * LearnerService.svc child element (the LRS validates with the strict MIAP schema and would answer
 * WSEC0001); it emits R9 wrapper parameters in object-key order, not schema order; it does no request
 * validation; clients built from the same WSDL share one mutable cached WSDL object; and it costs about
 * twice the CPU per call. The descriptions are checked against our WSDLs (wsdl/) by a unit test using
 * soap, so the wire format and the contract cannot drift apart, and against the live services' WSDLs by
 * `lrs-relay wsdl check` (contract.ts), so a change at the LRS does not go unnoticed.
 */
import { RELAY_CODES } from '../codes/client-codes.ts';
import { LrsError, type FieldProblem } from './errors.ts';
import { vendorIdRefusal } from './endpoints.ts';
import { buildEnvelope, buildHeaders } from './envelope.ts';
import { validateMessage, type MessageSpec, type WireObject } from './messages.ts';
import * as op from './operations/index.ts';
import { readLrsAnswer, relayError } from './response.ts';
import { checkRule } from './rules.ts';
import { createTransport } from './transport.ts';
import type { CallOptions, CreateLrsClientOptions, LrsClient, LrsIdentity } from './types.ts';
import type { SoapBody } from './xml.ts';

/** Credential fields are checked once, on the identity, so a bad password is reported once, not per message shape. */
const CREDENTIAL_PATHS = /^(organisationRef|ukprn|orgPassword|userName|invokingOrganisation|identity)(\.|$)/;

/** Every problem with the identity behind a call (docs/lrs.md §2.4). Messages never contain the values. */
function validateIdentity(id: LrsIdentity, service: MessageSpec['service']): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const has = (v: string | undefined) => v !== undefined && v !== '';
  if (has(id.ukprn) === has(id.organisationRef)) {
    problems.push({ field: 'identity', message: 'must have exactly one of UKPRN or organisation reference' });
  }
  if (has(id.ukprn)) {
    const p = checkRule('ukprn', id.ukprn ?? '');
    if (p) problems.push({ field: 'identity.ukprn', message: p });
  }
  if (has(id.organisationRef)) {
    const p = checkRule('organisationRef', id.organisationRef ?? '');
    if (p) problems.push({ field: 'identity.organisationRef', message: p });
  }
  if (service === 'externalService' && !has(id.organisationRef)) {
    problems.push({
      field: 'identity.organisationRef',
      message: 'is required for the External service (it has no UKPRN field)',
    });
  }
  const pw = checkRule('orgPassword', id.password ?? '');
  if (pw) problems.push({ field: 'identity.password', message: pw });
  const user = checkRule('userName', id.userName ?? '');
  if (user) problems.push({ field: 'identity.userName', message: user });
  return problems;
}

/** The LOCAL_VALIDATION error listing every problem (field names and rules only). */
function localValidationError(operation: string, problems: FieldProblem[]): LrsError {
  const list = problems.map((p) => `${p.field} ${p.message}`).join('; ');
  return relayError(
    RELAY_CODES.LOCAL_VALIDATION,
    `request not sent: ${problems.length} field problem(s): ${list}`,
    { operation, problems },
  );
}

/** Validates identity + message; throws LOCAL_VALIDATION with every problem. */
function assertValidRequest(
  spec: MessageSpec,
  id: LrsIdentity,
  wire: WireObject,
  extra: FieldProblem[] = [],
): void {
  const problems = [
    ...validateIdentity(id, spec.service),
    ...validateMessage(spec, wire).filter((p) => !CREDENTIAL_PATHS.test(p.field)),
    ...extra,
  ];
  if (problems.length > 0) throw localValidationError(spec.operation, problems);
}

/** A batch's LearnerRecordCount, when given, must match the learners sent (the LRS answers WSRC0017 otherwise). */
function countProblem(input: {
  learnerRecordCount?: number | undefined;
  learners: readonly unknown[];
}): FieldProblem[] {
  return input.learnerRecordCount !== undefined && input.learnerRecordCount !== input.learners.length
    ? [{ field: 'learnerRecordCount', message: 'must equal the number of learners sent' }]
    : [];
}

/** Creates a client. No connection is made until the first call. */
export function createLrsClient(options: CreateLrsClientOptions): LrsClient {
  const transport = createTransport(options);

  async function call<T extends { code: string; codeSource: 'lrs' | 'relay' }>(
    spec: MessageSpec,
    id: LrsIdentity,
    wire: WireObject,
    parse: (body: SoapBody) => T,
    o: CallOptions | undefined,
    extra: FieldProblem[] = [],
  ): Promise<T> {
    assertValidRequest(spec, id, wire, extra);
    if (spec.service === 'learnerServiceR9') {
      const refusal = vendorIdRefusal(id.vendorId, options.endpoints.learnerServiceR9);
      if (refusal)
        throw relayError(RELAY_CODES.VENDOR_ID_NOT_SET, `request not sent: ${refusal}`, {
          operation: spec.operation,
        });
    }
    const started = performance.now();
    const organisation = id.ukprn || id.organisationRef || '';
    let httpStatus: number | undefined;
    try {
      const answer = await transport.post(options.endpoints[spec.service], {
        operation: spec.operation,
        headers: buildHeaders(spec),
        body: buildEnvelope(spec, wire),
        signal: o?.signal,
        timeoutMs: o?.timeoutMs,
      });
      httpStatus = answer.status;
      const result = parse(readLrsAnswer(answer, spec.operation, [spec.response.name]));
      report(spec, organisation, id.userName, result.code, result.codeSource, started, httpStatus);
      return result;
    } catch (e) {
      const err =
        e instanceof LrsError
          ? e
          : relayError(RELAY_CODES.MALFORMED_RESPONSE, 'response could not be read', {
              operation: spec.operation,
              httpStatus,
              cause: e,
            });
      report(
        spec,
        organisation,
        id.userName,
        err.code,
        err.codeSource,
        started,
        err.httpStatus ?? httpStatus,
      );
      throw err;
    }
  }

  function report(
    spec: MessageSpec,
    organisation: string,
    userName: string,
    code: string,
    codeSource: 'lrs' | 'relay',
    started: number,
    httpStatus: number | undefined,
  ): void {
    if (!options.onCall) return;
    try {
      options.onCall({
        operation: spec.operation,
        organisation,
        userName,
        code,
        codeSource,
        durationMs: Math.round(performance.now() - started),
        httpStatus,
      });
    } catch {
      // An audit hook must never turn a completed LRS call into a failure (the LRS may already have acted).
    }
  }

  /** One LrsClient method from an operation module; `extra` adds problems only the whole input can show. */
  function via<I, T extends { code: string; codeSource: 'lrs' | 'relay' }>(
    operation: {
      spec: MessageSpec;
      build: (id: LrsIdentity, input: I) => WireObject;
      parse: (body: SoapBody) => T;
    },
    extra?: (input: I) => FieldProblem[],
  ): (id: LrsIdentity, input: I, o?: CallOptions) => Promise<T> {
    return (id, input, o) =>
      call(operation.spec, id, operation.build(id, input), operation.parse, o, extra?.(input));
  }

  return {
    learnerByUln: via(op.learnerByUln),
    learnerByDemographics: via(op.learnerByDemographics),
    registerSingleLearner: via(op.registerSingleLearner),
    updateSingleLearner: via(op.updateSingleLearner),
    verifyLearner: via(op.verifyLearner),
    submitBatchRegistration: via(op.submitBatchRegistration, countProblem),
    getBatchRegistrationOutput: via(op.getBatchRegistrationOutput),
    submitVerifyBatch: via(op.submitVerifyBatch, countProblem),
    getVerifyBatchOutput: via(op.getVerifyBatchOutput),
    retrieveUlns: via(op.retrieveUlns),
    getLearnerLearningEvents: via(op.getLearnerLearningEvents),
    learnerByUlnR9: via(op.learnerByUlnR9),
    submitAchievementBatchJob: via(op.submitAchievementBatchJob),
    getAchievementBatchJob: via(op.getAchievementBatchJob),
    close: () => transport.close(),
  };
}
