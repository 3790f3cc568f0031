import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Retries and codes": LRS maintenance pauses the whole queue instead of burning each job\'s attempts (issue 27: the queue observed paused)',
  switchedOff: 'a pause step holds back only the job that met it; the queue keeps fetching',
  edits: [
    {
      file: 'src/workers/job-steps.ts',
      find: '      await worker.rateLimit(e.pauseMs);\n      throw Worker.RateLimitError();',
      replace:
        '      await job.moveToDelayed(Date.now() + e.pauseMs, token);\n      throw new DelayedError();',
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
