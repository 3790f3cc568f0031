import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/security.md: dashboard logins are throttled per account and address, per address and site-wide, before any password is checked',
  switchedOff: 'no login throttle limit is ever reached',
  edits: [
    {
      file: 'src/support/login-throttle.ts',
      find: '    if (row && row.attempts > o.limits[scope].max)',
      replace: '    if (row && row.attempts > o.limits[scope].max && (false as boolean))',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-login.test.ts',
      name: 'checks at most 5 passwords of 20 parallel guesses, and then logs no one in, right password or not',
    },
    {
      file: 'test/integration/support-login.test.ts',
      name: 'throttles one address across many usernames before any password is checked',
    },
    {
      file: 'test/integration/support-login.test.ts',
      name: 'caps login attempts across the whole site per minute',
    },
  ],
  ci: true,
});
