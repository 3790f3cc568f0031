import { defineAblation } from '../types.ts';

export default defineAblation({
  promise: 'issue 25 acceptance: in a browser on the demo, "Cancel all" changes nothing until confirmed',
  switchedOff: 'a group action acts at once, without asking',
  edits: [
    {
      file: 'src/support/routes.ts',
      find: "      if (bodyStr(req, 'confirm') !== 'yes' || expected !== ids.length) {",
      replace:
        "      if ((false as boolean) && (bodyStr(req, 'confirm') !== 'yes' || expected !== ids.length)) {",
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
