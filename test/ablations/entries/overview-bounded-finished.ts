import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 25: the overview's statements stay bounded on months of requests: finished requests are read by completed_at through an index, never the whole table",
  switchedOff:
    'the finished-per-bucket statement leaves out the condition that lets it use request_purge_idx',
  edits: [
    {
      file: 'src/db/support-reads.ts',
      find: '          where completed_at >= to_timestamp($2) and purged_at is null\n',
      replace: '          where completed_at >= to_timestamp($2)\n',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview-plans.test.ts',
      name: 'an administrator reads requests and LRS calls through indexes only',
    },
    {
      file: 'test/integration/support-overview-plans.test.ts',
      name: 'staff of one organisation reads requests and LRS calls through indexes only',
    },
  ],
  ci: false,
});
