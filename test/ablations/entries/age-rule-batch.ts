import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22 items 6 and 8: a batch registration record for a learner outside 13–110 on the date of the request is left out of the batch and ends rejected with AGE_OUT_OF_RANGE',
  switchedOff: 'batch registration records are built whatever the age',
  edits: [
    {
      file: 'src/batches/records.ts',
      find: '  return age\n',
      replace: '  return age && (false as boolean)\n',
    },
  ],
  tests: [
    {
      file: 'test/integration/age-rule.test.ts',
      name: 'batch records: left out of the batch, rejected with AGE_OUT_OF_RANGE; the rest go in one batch',
    },
  ],
  ci: false,
});
