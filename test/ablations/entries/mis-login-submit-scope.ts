import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21: a login mapped to organisation A gets 42501 from lrs.submit_request for organisation B (docs/security.md "Organisation scoping of MIS logins")',
  switchedOff: 'lrs.submit_request treats every caller as not limited',
  edits: [
    {
      file: 'db/functions/submit-request.sql',
      find: '  v_scope := lrs.mis_scope();',
      replace: '  v_scope := NULL;',
    },
  ],
  tests: [
    {
      file: 'test/integration/mis-login-scope.test.ts',
      name: 'refuses any other organisation with 42501, naming the organisation and the login',
    },
  ],
  ci: false,
});
