/**
 * LearnerService.svc: dispatch on the body root QName (SOAPAction is ignored, as HMPPS sends none),
 * strict MIAP validation, out-of-hours and organisation checks, then the operation.
 */
import { MESSAGES, type MessageSpec } from '../lrs/messages.ts';
import type { SimContext, SimResponse } from './context.ts';
import { xmlResponse } from './context.ts';
import { miapFault, type FaultCode } from './faults.ts';
import {
  handleFindByDemographics,
  handleFindByUln,
  handleRetrieveUlns,
  handleVerifyLearner,
} from './ls-find.ts';
import { handleRegister, handleUpdate } from './ls-register.ts';
import {
  handleBatchOutput,
  handleSubmitBatch,
  handleSubmitVerifyBatch,
  handleVerifyBatchOutput,
} from './ls-batches.ts';
import { validateRequest, type ValidationLimits } from './validate.ts';
import { textOf, type XmlNode } from './xml.ts';

/** An LS operation: gets the validated request root and the caller's organisation id. */
export type LsHandler = (ctx: SimContext, root: XmlNode, orgId: string) => string;

const HANDLERS: Record<string, LsHandler> = {
  learnerByUln: handleFindByUln,
  learnerByDemographics: handleFindByDemographics,
  registerSingleLearner: handleRegister,
  updateSingleLearner: handleUpdate,
  verifyLearner: handleVerifyLearner,
  submitBatchRegistration: handleSubmitBatch,
  getBatchRegistrationOutput: handleBatchOutput,
  submitVerifyBatch: handleSubmitVerifyBatch,
  getVerifyBatchOutput: handleVerifyBatchOutput,
  retrieveUlns: handleRetrieveUlns,
};

const LS_SPECS: MessageSpec[] = Object.values(MESSAGES).filter((m) => m.service === 'learnerService');
const BY_QNAME = new Map(LS_SPECS.map((m) => [`${m.root.ns}|${m.root.name}`, m]));
const BY_LOCAL_NAME = new Map(LS_SPECS.map((m) => [m.root.name, m]));

/** Finds the message description for a body root, for dispatch and for fault-injection scoping. */
export function learnerServiceSpec(root: XmlNode): MessageSpec | undefined {
  return BY_QNAME.get(`${root.ns}|${root.name}`);
}

function fault(ctx: SimContext, code: FaultCode, details: string): SimResponse {
  ctx.stats.countFault(code);
  return xmlResponse(miapFault(code, details, ctx.now()), 500);
}

/** Batch sizes and record counts follow the configured limits, not the XSD's 1–200, so a raised limit is usable. */
function limitsFor(ctx: SimContext, spec: MessageSpec): ValidationLimits {
  const limit =
    spec.operation === 'submitBatchRegistration'
      ? ctx.limits.registration
      : spec.operation === 'submitVerifyBatch'
        ? ctx.limits.verify
        : undefined;
  if (limit === undefined) return {};
  return {
    maxOf: (f) => (f.name === 'Learner' ? limit : undefined),
    checkOf: (f) => (f.name === 'LearnerRecordCount' ? recordCountCheck(limit) : undefined),
  };
}

function recordCountCheck(limit: number): (v: string) => string | undefined {
  return (v) =>
    /^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= limit
      ? undefined
      : `must be a whole number from 1 to ${limit}`;
}

export function handleLearnerService(ctx: SimContext, root: XmlNode): SimResponse {
  const spec = learnerServiceSpec(root);
  if (!spec) {
    ctx.stats.countCall('unknown');
    const known = BY_LOCAL_NAME.get(root.name);
    if (known)
      return fault(
        ctx,
        'WSEC0001',
        `cvc-elt.1.a: Cannot find the declaration of element '${root.ns === '' ? root.name : `{"${root.ns}":${root.name}}`}'.`,
      );
    return fault(ctx, 'WSEC0002', `Unknown request element '${root.name}'.`);
  }
  ctx.stats.countCall(spec.operation);
  const problem = validateRequest(spec, root, limitsFor(ctx, spec));
  if (problem) return fault(ctx, 'WSEC0001', problem);
  if (ctx.outOfHours(spec.operation))
    return fault(ctx, 'WSEC0004', 'The service is closed at this time; try again during service hours.');
  const auth = ctx.orgs.authenticate(
    {
      ukprn: textOf(root, 'UKPRN'),
      organisationRef: textOf(root, 'OrganisationRef'),
      password: textOf(root, 'OrgPassword'),
    },
    [spec.operation, spec.wsdlOperation],
  );
  if (!auth.ok)
    return fault(ctx, auth.code, `Organisation check failed for operation ${spec.wsdlOperation}.`);
  const handler = HANDLERS[spec.operation];
  if (!handler) return fault(ctx, 'WSEC0002', `Operation ${spec.wsdlOperation} is not simulated.`);
  return xmlResponse(handler(ctx, root, auth.orgId));
}
