import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22: `lrs-relay explain` of a code not in the catalogue says so and explains the nearest (wsrc3 is WSRC0003, rc6 is RC006)',
  switchedOff: 'explain says only that the code is not in the catalogue',
  edits: [
    {
      file: 'src/cli/explain.ts',
      find: '  const nearest = isKnown ? undefined : suggestCode(code);',
      replace: '  const nearest = isKnown || (true as boolean) ? undefined : suggestCode(code);',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-actions.test.ts',
      name: 'CLI exceptions, explain, learner and batches',
    },
  ],
  ci: false,
});
