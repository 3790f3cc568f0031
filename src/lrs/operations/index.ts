/**
 * Every operation, as its module exports it: { spec, build, parse }. The client calls through this
 * table; conformance and the simulator use it to recognise a response by its root element
 * (`parserForResponseRoot`).
 */
import type { SoapBody } from '../xml.ts';
import { learnerByUln } from './learner-by-uln.ts';
import { learnerByDemographics } from './learner-by-demographics.ts';
import { registerSingleLearner } from './register-single-learner.ts';
import { updateSingleLearner } from './update-single-learner.ts';
import { verifyLearner } from './verify-learner.ts';
import { submitBatchRegistration } from './submit-batch-registration.ts';
import { getBatchRegistrationOutput } from './get-batch-registration-output.ts';
import { submitVerifyBatch } from './submit-verify-batch.ts';
import { getVerifyBatchOutput } from './get-verify-batch-output.ts';
import { retrieveUlns } from './retrieve-ulns.ts';
import { getLearnerLearningEvents } from './get-learner-learning-events.ts';
import { learnerByUlnR9 } from './learner-by-uln-r9.ts';
import { submitAchievementBatchJob } from './submit-achievement-batch-job.ts';
import { getAchievementBatchJob } from './get-achievement-batch-job.ts';

export {
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
