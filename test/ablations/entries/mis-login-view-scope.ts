import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21: a login mapped to organisation A sees no row of organisation B in any view it may read (docs/security.md "Organisation scoping of MIS logins")',
  switchedOff: "lrs.learner_status shows every organisation's rows to every caller",
  edits: [
    {
      file: 'db/migrations/0011_mis_login_scope.sql',
      find: 'WHERE (SELECT lrs.mis_scope()) IS NULL OR r.organisation_id = ANY ((SELECT lrs.mis_scope())::integer[])',
      replace: 'WHERE true',
    },
  ],
  tests: [
    {
      file: 'test/integration/mis-login-scope.test.ts',
      name: 'sees no row of another organisation in any table or view it may read, and may call only its two functions',
    },
  ],
  ci: false,
});
