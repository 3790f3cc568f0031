import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 24: an assembly pass costs the same on a year-old database: each organisation's achievement cap is found from a partial index, not by reading every batch kept",
  switchedOff: 'migration 0013 creates no index',
  edits: [
    {
      file: 'db/migrations/0013_achievement_cap_index.sql',
      find: 'CREATE INDEX "batch_too_many_idx"',
      replace: '-- CREATE INDEX "batch_too_many_idx"',
    },
  ],
  tests: [
    {
      file: 'test/integration/batch-plans.test.ts',
      name: "finds the organisations' caps without reading the batches kept",
    },
  ],
  ci: false,
});
