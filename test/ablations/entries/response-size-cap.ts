import { defineAblation } from '../types.ts';

const OPERATIONS = [
  'learnerByUln',
  'learnerByDemographics',
  'registerSingleLearner',
  'updateSingleLearner',
  'verifyLearner',
  'submitBatchRegistration',
  'getBatchRegistrationOutput',
  'submitVerifyBatch',
  'getVerifyBatchOutput',
  'retrieveUlns',
  'getLearnerLearningEvents',
  'learnerByUlnR9',
  'submitAchievementBatchJob',
  'getAchievementBatchJob',
];

export default defineAblation({
  promise:
    'issue 27 (bounded memory for any input): an LRS answer is read up to MAX_RESPONSE_BYTES (8 MiB) and refused past it, on every call',
  switchedOff: "the LRS client's response-size cap is lifted for SOAP calls",
  edits: [
    {
      file: 'src/lrs/transport.ts',
      find: 'const maxBytes = o.maxResponseBytes ?? MAX_RESPONSE_BYTES;',
      replace: 'const maxBytes = o.maxResponseBytes ?? Number.POSITIVE_INFINITY;',
    },
  ],
  tests: OPERATIONS.map((op) => ({
    file: 'test/unit/lrs/response-cap.test.ts',
    name: `${op}: refused at the response-size cap, the rest never read`,
  })),
  ci: true,
});
