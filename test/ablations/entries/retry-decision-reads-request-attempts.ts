import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: the retry decision of a single call reads lrs.request.attempts (BullMQ’s count is only a safety bound), so retries stay bounded per class however often the job was re-created',
  switchedOff: 'a single call decides as if no attempt had been made before',
  edits: [
    {
      file: 'src/requests/run.ts',
      find: '  return Math.max(0, request.attempts - 1);',
      replace: '  return 0 * Math.max(0, request.attempts - 1);',
    },
  ],
  tests: [
    {
      file: 'test/unit/one-decision.test.ts',
      name: 'a transient failure, attempts used up (CONNECTION_FAILED after 9 attempts): settle',
    },
  ],
  ci: false,
});
