import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "docs/security.md: every dashboard form post carries the session's CSRF token; one without is refused",
  switchedOff: 'state-changing requests are accepted without checking the CSRF token',
  edits: [
    {
      file: 'src/support/http-auth.ts',
      find: '  if (!auth || !isSameSecret(sent, auth.session.csrfToken)) {',
      replace: '  if (!auth || ((false as boolean) && !isSameSecret(sent, auth.session.csrfToken))) {',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-dashboard.test.ts',
      name: 'refuses a form post without the session CSRF token',
    },
  ],
  ci: true,
});
