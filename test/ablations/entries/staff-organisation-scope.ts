import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "For support staff": staff logins see only their organisations (every page and API; a learner elsewhere is "not found")',
  switchedOff: 'a staff account that is not an admin may see every organisation',
  edits: [
    {
      file: 'src/support/access.ts',
      find: '    organisationIds: o.isAdmin ? null : [...o.memberOf],',
      replace: '    organisationIds: null,',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-dashboard.test.ts',
      name: 'keeps a staff user of one organisation away from another organisation by every URL',
    },
  ],
  ci: false,
});
