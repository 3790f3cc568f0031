import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/support.md: /organisations shows an organisation whose credentials cannot be loaded as Broken, with why',
  switchedOff: 'a failed credentials check is ignored and the organisation shows as able to send',
  edits: [
    {
      file: 'src/support/organisations.ts',
      find: '      if (failure) return',
      replace: '      if ((false as boolean) && failure) return',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-organisations.test.ts',
      name: 'says which organisation can send, which is broken and why, and how long each certificate lasts',
    },
  ],
  ci: false,
});
