import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 25: a request's field problems show the value sent only to staff who may see the learner's personal data; the others read the field and the rule, never the value (page and API)",
  switchedOff: 'the field problems are read as if every viewer held the personal-data grant',
  edits: [
    {
      file: 'src/support/queries.ts',
      find: '              personalData: personal,\n            }),',
      replace: '              personalData: true,\n            }),',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-request-detail.test.ts',
      name: 'shows the fields and rules but never the values to staff without the personal-data grant',
    },
  ],
  ci: false,
});
