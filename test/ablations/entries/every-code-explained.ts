import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Every code explained": every code of ours has a meaning, a class and a resolution note in lrs.response_code',
  switchedOff: 'one code of ours (LEARNER_BUSY) is left out of the code table',
  edits: [
    {
      file: 'src/codes/table.ts',
      find: '  ...PIPELINE_CODE_ENTRIES,\n]);',
      replace: "  ...PIPELINE_CODE_ENTRIES.filter((e) => e.code !== 'LEARNER_BUSY'),\n]);",
    },
  ],
  tests: [
    {
      file: 'test/unit/codes.test.ts',
      name: 'explains every code of ours, with a resolution note for support staff',
    },
  ],
  ci: true,
});
