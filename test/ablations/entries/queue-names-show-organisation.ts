import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 25: bull-board and /queues name each organisation's queue (`single-<id>`) with the organisation's UKPRN and name, escaped",
  switchedOff: 'the queue set no longer knows which organisation a queue serves',
  edits: [
    {
      file: 'src/support/queue-depths.ts',
      find: '    organisationOf: (queueName) => organisations.get(queueName),',
      replace:
        '    organisationOf: (queueName) => ((false as boolean) ? organisations.get(queueName) : undefined),',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-dashboard.test.ts',
      name: 'mounts bull-board read-only with only their queues for staff, and writable for admins',
    },
    {
      file: 'test/integration/support-dashboard.test.ts',
      name: '/queues is our page: each queue with its organisation, jobs by state, paused or not, the oldest waiting age; scoped, escaped, no script',
    },
  ],
  ci: false,
});
