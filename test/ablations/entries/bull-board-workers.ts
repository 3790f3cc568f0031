import { defineAblation } from '../types.ts';

export default defineAblation({
  promise: 'issue 23: bull-board shows the workers that run (not "No workers" on every queue)',
  switchedOff: 'workers are named with spaces again, which Redis refuses as a connection name',
  edits: [
    {
      file: 'src/queues/catalogue.ts',
      find: "  return `${what}@${hostname()}:${process.pid}`.replace(/[^A-Za-z0-9._@:-]/g, '_');",
      replace: '  return `lrs-relay ${what}`;',
    },
  ],
  tests: [
    { file: 'test/integration/monitoring-scrape.test.ts', name: 'bull-board shows the workers that run' },
  ],
  ci: false,
});
