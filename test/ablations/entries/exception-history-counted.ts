import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: "open exceptions over time" counts what was open at each moment, an exception closed since (retried, cancelled, resolved) included, from the history lrs.exception_span keeps',
  switchedOff:
    'exceptions closed since are left out of the chart (only those open now are counted, as before the history was kept)',
  edits: [
    {
      file: 'src/support/overview.ts',
      find: '    const to = r.closedBucket ?? count;',
      replace: '    const to = r.closedBucket === null || r.closedBucket === undefined ? count : -1;',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview.test.ts',
      name: 'counts an exception as open from when it opened until it was retried, not only those open now',
    },
    {
      file: 'test/unit/support/charts.test.ts',
      name: 'lays rows onto buckets and counts open exceptions over time from when each opened',
    },
  ],
  ci: false,
});
