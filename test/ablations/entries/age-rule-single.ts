import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22 items 6 and 8: a registration for a learner outside 13–110 on the date of the request is not sent; it ends rejected with AGE_OUT_OF_RANGE (single calls)',
  switchedOff: 'the register processor sends every registration whatever the age',
  edits: [
    {
      file: 'src/requests/processors.ts',
      find: '  if (age) return notSent(PIPELINE_CODES.AGE_OUT_OF_RANGE, [age]);',
      replace: '  if (age && (false as boolean)) return notSent(PIPELINE_CODES.AGE_OUT_OF_RANGE, [age]);',
    },
  ],
  tests: [
    {
      file: 'test/integration/age-rule.test.ts',
      name: 'single calls: not sent, rejected with AGE_OUT_OF_RANGE, judged on the day the request was made',
    },
  ],
  ci: false,
});
