import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "No duplicate learners": after an ambiguous failure (sent, no answer) a registration searches again before it registers again',
  switchedOff: "a retry after a lost registration answer ignores its search's answer and registers again",
  edits: [
    {
      file: 'src/requests/processors.ts',
      find: "    if (found.outcome !== 'no_match') {\n      const res = resolutionForFind(found);",
      replace:
        "    if (found.outcome !== 'no_match' && !ctx.request.registerInDoubt) {\n      const res = resolutionForFind(found);",
    },
  ],
  tests: [
    {
      file: 'test/integration/register-lock.test.ts',
      name: 'a registration whose answer was lost searches again and finds the learner, registering once',
    },
  ],
  ci: false,
});
