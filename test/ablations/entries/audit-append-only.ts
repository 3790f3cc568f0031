import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21: lrs.staff_audit and every audit table are append-only for every role but the owner (docs/security.md "Database roles")',
  switchedOff: 'migration 0011 no longer revokes UPDATE, DELETE and TRUNCATE on the audit tables',
  edits: [
    {
      file: 'db/migrations/0011_mis_login_scope.sql',
      find: 'REVOKE UPDATE, DELETE, TRUNCATE ON lrs.audit, lrs.staff_audit FROM lrs_support, lrs_mis, PUBLIC;',
      replace: 'SELECT 1;',
    },
  ],
  tests: [
    {
      file: 'test/integration/audit-append-only.test.ts',
      name: 'refuses UPDATE, DELETE and TRUNCATE on every audit table to a login granted lrs_support',
    },
  ],
  ci: false,
});
