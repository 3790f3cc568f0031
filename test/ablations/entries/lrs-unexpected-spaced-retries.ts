import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22: WSEC0999 and WCEC0999 (an unknown exception at the LRS) get a few retries well apart, then need a person, instead of ten quick retries as a transport fault',
  switchedOff: 'an unknown LRS exception is retried ten times a second apart',
  edits: [
    {
      file: 'src/codes/retry-policy.ts',
      find: '  lrs_unexpected: { attempts: 3, baseDelayMs: 10 * 60_000, maxDelayMs: 30 * 60_000 },',
      replace: '  lrs_unexpected: { attempts: 10, baseDelayMs: 1_000, maxDelayMs: 30 * 60_000 },',
    },
  ],
  tests: [
    {
      file: 'test/unit/codes.test.ts',
      name: 'WSEC0999 and WCEC0999: a few retries well apart, then a person',
    },
  ],
  ci: false,
});
