import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21: with QUEUE_BACKEND=postgres the dashboard runs as an lrs_support login (docs/support.md "Dashboard", docs/security.md "Database roles")',
  switchedOff: 'lrs-relay migrate no longer lets lrs_support read the queue tables the dashboard shows',
  edits: [
    {
      file: 'src/queues/postgres.ts',
      find: '    `grant usage on schema ${quoted} to lrs_support; grant select on ${tables} to lrs_support`,',
      replace: '    `select ${tables.length}`,',
    },
  ],
  tests: [
    {
      file: 'test/integration/queue-postgres-support.test.ts',
      name: 'starts, is ready, and shows the queue depths',
    },
  ],
  ci: false,
});
