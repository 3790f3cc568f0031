import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 24: an assembly pass looks for each group's work from its claim cursor, so it costs the same however much of the night's backlog is pending or already claimed",
  switchedOff:
    "findBatchGroups looks for batch-mode work from the group's first pending index entry, not its cursor",
  edits: [
    {
      file: 'src/db/batch-assembly.ts',
      find: 'and (r.kind, r.id) > (k.kind, coalesce(c.after, 0)) and r.kind <= k.kind',
      replace: 'and (r.kind, r.id) > (k.kind, 0) and r.kind <= k.kind',
    },
  ],
  tests: [
    {
      file: 'test/integration/batch-plans.test.ts',
      name: 'finds the work without counting the backlog or walking what tonight already claimed',
    },
  ],
  ci: false,
});
