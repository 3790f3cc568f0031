import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: coded learner values (gender, LRS learner status) are shown in words beside their code in the possible-match comparison and the details sent',
  switchedOff: 'learnerValueLabel returns every value as it is stored',
  edits: [
    {
      file: 'src/support/labels.ts',
      find: "  if (table === null || value === '' ||",
      replace: "  if ((true as boolean) || table === null || value === '' ||",
    },
  ],
  tests: [
    {
      file: 'test/integration/support-request-detail.test.ts',
      name: 'shows gender and other coded values in words in the possible-match comparison and the details sent',
    },
  ],
  ci: false,
});
