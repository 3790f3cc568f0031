import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 25: a request's field problems are shown as a table (field, rule broken, the value sent), not as raw JSON",
  switchedOff: 'the request page prints the stored problems as a JSON block again',
  edits: [
    {
      file: 'src/support/pages/request-detail.ts',
      find: '${renderFieldProblems(d)}`',
      replace:
        '${d.outcome.problems ? html`<h3>Field problems</h3><pre>${JSON.stringify(d.outcome.problems, null, 2)}</pre>` : ""}`',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-request-detail.test.ts',
      name: 'shows field problems as a table of field, rule and value to staff who may see the personal data',
    },
  ],
  ci: false,
});
