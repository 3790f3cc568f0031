import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 24: on a night of many organisations no organisation starves: an assembly pass makes one batch per organisation and kind in turn, so one organisation's backlog never holds another's batches back",
  switchedOff: "a pass makes every batch of one group before the next group's (the group is never set aside)",
  edits: [
    {
      file: 'src/batches/assemble.ts',
      find: '      for (const d of due) {',
      replace: '      for (const d of due.slice(0, 1)) {',
    },
    {
      file: 'src/batches/assemble.ts',
      find: '      due = again;',
      replace: '      due = [...again, ...due.slice(1)];',
    },
  ],
  tests: [
    {
      file: 'test/integration/batch-fairness.test.ts',
      name: "sends a small organisation's batch second, not after a large organisation's whole backlog",
    },
  ],
  ci: false,
});
