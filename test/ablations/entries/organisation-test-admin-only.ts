import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: administrators can test an organisation from /organisations (what `lrs-relay orgs test` does, audited with their name); other staff see no button and are refused',
  switchedOff: 'the test action no longer checks that the member of staff is an administrator',
  edits: [
    {
      file: 'src/support/routes.ts',
      find: '    if (!auth.actor.isAdmin || !test) {',
      replace: '    if (((false as boolean) && !auth.actor.isAdmin) || !test) {',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-organisations.test.ts',
      name: 'lets an administrator test an organisation, audited with their name; staff get no button and are refused',
    },
  ],
  ci: false,
});
