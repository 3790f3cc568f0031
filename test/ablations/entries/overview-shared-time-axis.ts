import { defineAblation } from '../types.ts';

export default defineAblation({
  promise: 'issue 25: every chart of the overview shares one time axis: the same buckets and the same ticks',
  switchedOff: 'the latency chart draws on an axis of its own (hourly, the last 24 hours), as before',
  edits: [
    {
      file: 'src/support/pages/overview.ts',
      find: '        desc: `The slowest ${per}: ${slowest.ms} ms (${slowest.s}, from ${slowest.at}).`,\n        axis,',
      replace:
        "        desc: `The slowest ${per}: ${slowest.ms} ms (${slowest.s}, from ${slowest.at}).`,\n        axis: timeAxis({ ...bucketsOf('24h', o.now ?? new Date()), bucketS: 3600, count: 24 }, r),",
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview.test.ts',
      name: '1h range: buckets that fit the range, one x axis shared by every chart, the finished work counted',
    },
    {
      file: 'test/integration/support-overview.test.ts',
      name: '6h range: buckets that fit the range, one x axis shared by every chart, the finished work counted',
    },
    {
      file: 'test/integration/support-overview.test.ts',
      name: '7d range: buckets that fit the range, one x axis shared by every chart, the finished work counted',
    },
  ],
  ci: false,
});
