import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: the overview charts span the range a person chooses (1 hour, 6 hours, 24 hours, 7 days), in buckets that fit it',
  switchedOff: 'the range in the query string is ignored: the charts always span 24 hours',
  edits: [
    {
      file: 'src/support/overview.ts',
      find: "  return typeof v === 'string' && Object.hasOwn(OVERVIEW_RANGES, v)",
      replace: "  return (false as boolean) && typeof v === 'string' && Object.hasOwn(OVERVIEW_RANGES, v)",
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
