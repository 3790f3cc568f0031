import { defineAblation } from '../types.ts';

export default defineAblation({
  promise: 'issue 25: each overview chart has a text equivalent: a description and its figures as a table',
  switchedOff: 'the charts lose their tables of figures',
  edits: [
    {
      file: 'src/support/pages/charts.ts',
      find: '  return html`<details class="chart-table">',
      replace: '  if (rows.length >= 0) return html``;\n  return html`<details class="chart-table">',
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
      name: '24h range: buckets that fit the range, one x axis shared by every chart, the finished work counted',
    },
    {
      file: 'test/integration/support-overview.test.ts',
      name: '7d range: buckets that fit the range, one x axis shared by every chart, the finished work counted',
    },
  ],
  ci: false,
});
