import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/security.md: dashboard logins are counted per account at an address and per address before any password is checked (the site-wide limit has entries of its own)',
  switchedOff: 'the per-account and per-address login limits are never reached',
  edits: [
    {
      file: 'src/support/login-throttle.ts',
      find: "  if (account.attempts > limits.accountAtAddress.max) return refuse('accountAtAddress', account);",
      replace:
        "  if (account.attempts > limits.accountAtAddress.max && (false as boolean)) return refuse('accountAtAddress', account);",
    },
    {
      file: 'src/support/login-throttle.ts',
      find: "  if (byAddress.attempts > limits.address.max) return refuse('address', byAddress);",
      replace:
        "  if (byAddress.attempts > limits.address.max && (false as boolean)) return refuse('address', byAddress);",
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
  ],
  ci: false,
});
