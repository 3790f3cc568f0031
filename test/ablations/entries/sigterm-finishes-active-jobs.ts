import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README (running it): SIGTERM or SIGINT stops taking work and lets active jobs finish within SHUTDOWN_TIMEOUT_MS before the process exits',
  switchedOff: "a stopping worker aborts its running jobs' LRS calls at once instead of letting them finish",
  edits: [
    {
      file: 'src/workers/single-workers.ts',
      find: '      for (const { abort } of all) abort.abort();\n    }, timeoutMs);',
      replace: '      for (const { abort } of all) abort.abort();\n    }, 0 * timeoutMs);',
    },
  ],
  tests: [
    {
      file: 'test/integration/pipeline-scheduling.test.ts',
      name: 'finishes active jobs and exits 0 on SIGTERM',
    },
  ],
  ci: false,
});
