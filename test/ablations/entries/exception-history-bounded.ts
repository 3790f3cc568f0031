import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: "open exceptions over time" reads the history of exceptions (lrs.exception_span) through its indexes, the open periods and those closed within the chosen range, never the months before',
  switchedOff: 'the chart reads every closed period, however old',
  edits: [
    {
      file: 'src/db/support-reads.ts',
      find: '              where closed_at >= to_timestamp($2) and ($1::int[] is null',
      replace: '              where closed_at is not null and $2::float8 is not null and ($1::int[] is null',
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
