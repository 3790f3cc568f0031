import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: each exception group on the exceptions page has a sparkline of how many were open over the last 7 days',
  switchedOff: 'the exceptions page draws no sparkline',
  edits: [
    {
      file: 'src/support/pages/exceptions.ts',
      find: '  if (!trend) return html``;',
      replace: '  if ((true as boolean) || !trend) return html``;',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview.test.ts',
      name: 'shows a sparkline of each exception group on the exceptions page, with its figures in words',
    },
  ],
  ci: false,
});
