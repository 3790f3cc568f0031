import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21 acceptance: after 100 refused attempts from one address in a minute, the right password for another account from another address logs in (a refused attempt counts towards no wider limit)',
  switchedOff: 'an attempt refused by its address limit still counts towards the site-wide limit, as before',
  edits: [
    {
      file: 'src/support/login-throttle.ts',
      find: "  if (byAddress.attempts > limits.address.max) return refuse('address', byAddress);\n",
      replace:
        "  if (byAddress.attempts > limits.address.max) {\n    await count(keys.siteAddresses, limits.siteAddresses);\n    return refuse('address', byAddress);\n  }\n",
    },
  ],
  tests: [
    {
      file: 'test/integration/support-login.test.ts',
      name: 'lets another account log in from another address after 100 refused attempts from one address in a minute',
    },
  ],
  ci: false,
});
