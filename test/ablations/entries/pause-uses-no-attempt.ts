import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: a queue pause (LRS in maintenance) uses no attempt of the requests that meet it, so each keeps its whole retry budget for after the window',
  switchedOff: 'a request that meets the pause keeps the attempt its claim counted',
  edits: [
    {
      file: 'src/requests/run.ts',
      find: '    // Every job meets the same wall: this run used no attempt.\n    await recordRetry(deps.pool, request, { code: err.code, error: reason, audits, attemptUsed: false });',
      replace:
        '    // Every job meets the same wall: this run used no attempt.\n    await recordRetry(deps.pool, request, { code: err.code, error: reason, audits, attemptUsed: true });',
    },
  ],
  tests: [
    {
      file: 'test/integration/maintenance.test.ts',
      name: 'single calls: the queue pauses (no calls for most of each pause), nothing fails, all finish after',
    },
  ],
  ci: false,
});
