import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 24: an assembly pass costs the same at the end of a large night as at its start: its count of auto-mode requests keeps to the auto claim index once the statistics have seen the backlog',
  switchedOff:
    'the auto count without the order of request_claim_auto_idx, which the planner may answer by walking the primary key',
  edits: [
    {
      file: 'src/db/batch-assembly.ts',
      find: '                                      order by r.priority, r.id\n',
      replace: '',
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
