import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 25: the overview's statements stay bounded on months of LRS calls: the audit is read organisation by organisation and time through audit_org_time_idx",
  switchedOff:
    'the per-organisation subqueries may be flattened into one join the planner scans by time alone',
  edits: [
    {
      file: 'src/db/support-reads.ts',
      find: " and a.operation not like 'relay.%' offset 0) a",
      replace: " and a.operation not like 'relay.%') a",
      count: 2,
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview-plans.test.ts',
      name: 'an administrator reads requests and LRS calls through indexes only',
    },
  ],
  ci: false,
});
