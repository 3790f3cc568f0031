import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: the demo also runs a small nightly ULN acquisition through LRS batches, so the Batches page and batch exceptions show something',
  switchedOff: 'the demo loads no backlog, so its nightly acquisition finds nobody and makes no batch',
  edits: [
    {
      file: 'src/demo/run-demo.ts',
      find: 'await insertBacklog(pool, { ukprn, students: population.backlog });',
      replace: 'await insertBacklog(pool, { ukprn, students: population.backlog.slice(0, 0) });',
    },
  ],
  tests: [
    {
      file: 'test/integration/demo.test.ts',
      name: 'runs a nightly ULN acquisition through batches: the backlog is sent, answered, and its exceptions wait for staff',
    },
  ],
  ci: false,
});
