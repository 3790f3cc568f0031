import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25 / docs/support.md: /queues shows, on Redis and on Postgres, how long each queue’s oldest waiting job has waited, even when it waits at a lower priority behind newer urgent work',
  switchedOff:
    'the oldest waiting job is looked for at the head of the queue only (the most urgent job), not at the head of each priority level',
  edits: [
    {
      file: 'src/queues/connection.ts',
      find: "    heads.push(queue.getJobs(['prioritized'], offset, offset, true));",
      replace: "    heads.push(queue.getJobs(['prioritized'], 0, 0, true));",
    },
  ],
  tests: [
    {
      file: 'test/integration/support-dashboard.test.ts',
      name: '/queues is our page: each queue with its organisation, jobs by state, paused or not, the oldest waiting age; scoped, escaped, no script',
    },
  ],
  ci: false,
});
