import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "docs/security.md: admins see every organisation's codes but personal data only of organisations they are granted",
  switchedOff: "a staff account's personal-data scope is every organisation",
  edits: [
    {
      file: 'src/support/access.ts',
      find: '    personalDataOrganisationIds: [...o.memberOf],',
      replace: '    personalDataOrganisationIds: null,',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-dashboard.test.ts',
      name: 'shows admins every organisation but personal data only of their own, and no match resolution',
    },
  ],
  ci: false,
});
