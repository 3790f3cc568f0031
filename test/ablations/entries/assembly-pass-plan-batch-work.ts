import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 24: an assembly pass costs the same at the end of a large night as at its start: its look-up of batch work keeps to the open-request index from the claim cursor once the statistics have seen the backlog',
  switchedOff:
    'the batch-work look-up written plainly (kind equality and id after the cursor), which the planner may answer by reading the table or the primary key from the start',
  edits: [
    {
      file: 'src/db/batch-assembly.ts',
      find: '                  and (r.kind, r.id) > (k.kind, coalesce(c.after, 0)) and r.kind <= k.kind',
      replace: '                  and r.kind = k.kind and r.id > coalesce(c.after, 0)',
    },
  ],
  tests: [
    {
      file: 'test/integration/batch-plans.test.ts',
      name: 'keeps to the index once the statistics have seen the backlog (the plan does not flip to reading the table)',
    },
  ],
  ci: false,
});
