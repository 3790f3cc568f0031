import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 24: autovacuum analyses lrs.request and lrs.batch after 1 % of their rows change, so a year-old table's statistics see the night",
  switchedOff: "migration 0016 leaves lrs.request's analyse threshold at the default",
  edits: [
    {
      file: 'db/migrations/0016_analyze_during_the_night.sql',
      find: 'ALTER TABLE "lrs"."request" SET (autovacuum_analyze_scale_factor = 0.01);',
      replace: 'SELECT 1;',
    },
  ],
  tests: [
    {
      file: 'test/integration/migrate.test.ts',
      name: 'has autovacuum analyse lrs.request and lrs.batch after 1 % of their rows change',
    },
  ],
  ci: false,
});
