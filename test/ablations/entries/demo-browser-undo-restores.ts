import { defineAblation } from '../types.ts';

export default defineAblation({
  promise: 'issue 25 acceptance: in a browser on the demo, an undo of "Cancel all" restores the requests',
  switchedOff: 'an undo claims nothing, so nothing comes back',
  edits: [
    {
      file: 'src/support/actions.ts',
      find: '    if (claimed === null) return null;',
      replace: '    if ((true as boolean) || claimed === null) return null;',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-demo-browser.test.ts',
      name: '"Cancel all" changes nothing until confirmed, and an undo restores the requests',
    },
  ],
  // The demo and a browser: minutes, not seconds.
  ci: false,
});
