/**
 * Every operation module as { spec, build, parse }. The client calls through this table; conformance
 * and the simulator use it to recognise a response by its root element (`parserForResponseRoot`).
 */
import type { SoapBody } from '../xml.ts';
import * as a from './learner-by-uln.ts';
import * as b from './learner-by-demographics.ts';
import * as c from './register-single-learner.ts';
import * as d from './update-single-learner.ts';
import * as e from './verify-learner.ts';
import * as f from './submit-batch-registration.ts';
import * as g from './get-batch-registration-output.ts';
import * as h from './submit-verify-batch.ts';
import * as i from './get-verify-batch-output.ts';
import * as j from './retrieve-ulns.ts';
import * as k from './get-learner-learning-events.ts';
import * as l from './learner-by-uln-r9.ts';
import * as m from './submit-achievement-batch-job.ts';
import * as n from './get-achievement-batch-job.ts';

export const learnerByUln = { spec: a.spec, build: a.buildLearnerByUln, parse: a.parseLearnerByUln };
export const learnerByDemographics = {
  spec: b.spec,
  build: b.buildLearnerByDemographics,
  parse: b.parseLearnerByDemographics,
};
export const registerSingleLearner = {
  spec: c.spec,
  build: c.buildRegisterSingleLearner,
  parse: c.parseRegisterSingleLearner,
};
export const updateSingleLearner = {
  spec: d.spec,
  build: d.buildUpdateSingleLearner,
  parse: d.parseUpdateSingleLearner,
};
export const verifyLearner = { spec: e.spec, build: e.buildVerifyLearner, parse: e.parseVerifyLearner };
export const submitBatchRegistration = {
  spec: f.spec,
  build: f.buildSubmitBatchRegistration,
  parse: f.parseSubmitBatchRegistration,
};
export const getBatchRegistrationOutput = {
  spec: g.spec,
  build: g.buildGetBatchRegistrationOutput,
  parse: g.parseGetBatchRegistrationOutput,
};
export const submitVerifyBatch = {
  spec: h.spec,
  build: h.buildSubmitVerifyBatch,
  parse: h.parseSubmitVerifyBatch,
};
export const getVerifyBatchOutput = {
  spec: i.spec,
  build: i.buildGetVerifyBatchOutput,
  parse: i.parseGetVerifyBatchOutput,
};
export const retrieveUlns = { spec: j.spec, build: j.buildRetrieveUlns, parse: j.parseRetrieveUlns };
export const getLearnerLearningEvents = {
  spec: k.spec,
  build: k.buildGetLearnerLearningEvents,
  parse: k.parseGetLearnerLearningEvents,
};
export const learnerByUlnR9 = { spec: l.spec, build: l.buildLearnerByUlnR9, parse: l.parseLearnerByUlnR9 };
export const submitAchievementBatchJob = {
  spec: m.spec,
  build: m.buildSubmitAchievementBatchJob,
  parse: m.parseSubmitAchievementBatchJob,
};
export const getAchievementBatchJob = {
  spec: n.spec,
  build: n.buildGetAchievementBatchJob,
  parse: n.parseGetAchievementBatchJob,
};

const OPERATIONS = [
  learnerByUln,
  learnerByDemographics,
  registerSingleLearner,
  updateSingleLearner,
  verifyLearner,
  submitBatchRegistration,
  getBatchRegistrationOutput,
  submitVerifyBatch,
  getVerifyBatchOutput,
  retrieveUlns,
  getLearnerLearningEvents,
  learnerByUlnR9,
  submitAchievementBatchJob,
  getAchievementBatchJob,
];

/**
 * Response root local name → the operations answering with it and a parser, derived from the specs
 * (FindLearnerResponse serves two; the first operation's parser reads it).
 */
const BY_RESPONSE_ROOT = new Map<string, { operations: string[]; parse: (body: SoapBody) => unknown }>();
for (const o of OPERATIONS) {
  const entry = BY_RESPONSE_ROOT.get(o.spec.response.name);
  if (entry) entry.operations.push(o.spec.operation);
  else BY_RESPONSE_ROOT.set(o.spec.response.name, { operations: [o.spec.operation], parse: o.parse });
}

/** The parser for a response root element, or undefined when no operation answers with it. */
export function parserForResponseRoot(
  rootName: string,
): { operations: string[]; parse: (body: SoapBody) => unknown } | undefined {
  return BY_RESPONSE_ROOT.get(rootName);
}
