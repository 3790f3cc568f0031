import { defineAblation } from '../types.ts';

export default defineAblation({
  promise: "issue 21: the login throttle's window clean-up goes through an index, not every counter",
  switchedOff: 'migration 0011 no longer creates login_throttle_window_idx',
  edits: [
    {
      file: 'db/migrations/0011_mis_login_scope.sql',
      find: 'CREATE INDEX "login_throttle_window_idx" ON "lrs"."login_throttle" USING btree ("window_start");',
      replace: 'SELECT 1;',
    },
  ],
  tests: [
    {
      file: 'test/integration/request-store-plans.test.ts',
      name: 'deletes the passed windows through login_throttle_window_idx',
    },
  ],
  ci: false,
});
