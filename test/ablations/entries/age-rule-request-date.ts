import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 22 items 6 and 8: the age rule judges the learner's age on the date the request was made, not on the day it is processed",
  switchedOff: 'the register processor judges the age on the day it runs',
  edits: [
    {
      file: 'src/requests/processors.ts',
      find: '  const age = ageProblem(p.value.dateOfBirth, ctx.request.createdAt);',
      replace: '  const age = ageProblem(p.value.dateOfBirth, new Date());',
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
