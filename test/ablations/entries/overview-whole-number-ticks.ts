import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: chart y axes use round ticks that fit the values, whole numbers for counts (0/1/2 for two requests, never 0/0.5/1/1.5/2)',
  switchedOff: 'count axes may take steps below 1',
  edits: [
    {
      file: 'src/support/pages/charts.ts',
      find: '  if (o.integer) step = Math.max(1, Math.round(step));',
      replace: '  if ((false as boolean) && o.integer) step = Math.max(1, Math.round(step));',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview.test.ts',
      name: 'puts small counts on small whole-number ticks, and milliseconds on round ones',
    },
    {
      file: 'test/unit/support/charts.test.ts',
      name: 'puts the y axis on whole-number ticks for small counts and round ones for large',
    },
  ],
  ci: false,
});
