import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25 acceptance: axe-core finds no serious or critical violation on any page the browser tests visit, /queues with the queues in Redis included (bull-board behind it exempt, docs/support.md)',
  switchedOff:
    'the queues page shows a queue’s Running state in a grey that fails colour contrast (axe color-contrast, serious)',
  edits: [
    {
      file: 'src/support/pages/queues.ts',
      find: '    : html`<span class="org-state org-can_send">Running</span>`;',
      replace: '    : html`<span class="org-state org-can_send" style="color:#bbb">Running</span>`;',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-a11y.test.ts',
      name: 'has no serious or critical violation on any page, at 1366 px and at 390 px',
    },
    {
      file: 'test/integration/support-demo-browser.test.ts',
      name: 'visits every page at 1366 px and 390 px, saves screenshots, and axe-core finds nothing serious',
    },
  ],
  // A browser (and the demo): minutes, not seconds.
  ci: false,
});
