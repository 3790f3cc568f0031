import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: the overview charts the exceptions open over time (and each group its sparkline): each counted from when it opened until it closed',
  switchedOff: 'each bucket counts only the exceptions that opened in it, not those still open from before',
  edits: [
    {
      file: 'src/support/overview.ts',
      find: '  return change.map((n) => (running += n));',
      replace: '  return change.map((n) => n + 0 * running);',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview.test.ts',
      name: 'puts small counts on small whole-number ticks, and milliseconds on round ones',
    },
    {
      file: 'test/integration/support-overview.test.ts',
      name: 'shows a sparkline of each exception group on the exceptions page, with its figures in words',
    },
  ],
  ci: false,
});
