import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/support.md: "Cancel all" and "Retry all" change nothing until confirmed, and a cancel can be undone',
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
      file: 'test/integration/support-bulk-actions.test.ts',
      name: '"Cancel all" asks first, cancels on confirmation, and an undo puts every request back',
    },
  ],
  ci: false,
});
