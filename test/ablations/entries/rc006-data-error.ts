import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22: RC006 (a registration batch row) is "insufficient data to create a ULN", a data error the MIS corrects, not a possible match',
  switchedOff: 'RC006 is catalogued as needing a person (the old possible-match reading)',
  edits: [
    {
      file: 'src/codes/batch-return-codes.ts',
      find: "    'RC006',\n    'data_error',",
      replace: "    'RC006',\n    'needs_action',",
    },
  ],
  tests: [
    {
      file: 'test/unit/codes.test.ts',
      name: 'RC006 is catalogued as data_error with advice a person can act on',
    },
    {
      file: 'test/integration/support-actions.test.ts',
      name: 'CLI exceptions, explain, learner and batches',
    },
  ],
  ci: false,
});
