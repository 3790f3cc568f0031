import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/demo.md: NOTIFY lrs_outcome carries the id of every request that reaches a terminal status, so an MIS can LISTEN instead of polling',
  switchedOff: 'the lrs_outcome trigger function notifies nothing',
  edits: [
    {
      file: 'db/migrations/0007_retention.sql',
      find: "  PERFORM pg_notify('lrs_outcome', NEW.id::text);",
      replace: '  PERFORM 1;',
    },
  ],
  tests: [
    { file: 'test/integration/outcome-notify.test.ts', name: 'a single call completing: its id, once' },
    {
      file: 'test/integration/outcome-notify.test.ts',
      name: 'a batch fanning out its results: every request of the chunk',
    },
  ],
  ci: false,
});
