import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21 / docs/security.md "Login": the site-wide login limit counts addresses, not attempts, so one address cannot use it up and lock everyone out',
  switchedOff: 'every attempt an address makes counts towards the site-wide limit',
  edits: [
    {
      file: 'src/support/login-throttle.ts',
      find: '  if (marker.attempts > 1) return',
      replace: '  if (marker.attempts > 1 && (false as boolean)) return',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-login.test.ts',
      name: 'counts addresses, not attempts, towards the site-wide limit',
    },
  ],
  ci: false,
});
