import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "No duplicate learners": a registration always searches by demographics first and records the existing ULN when the LRS knows the learner',
  switchedOff: "the register processor ignores its search's answer and always registers",
  edits: [
    {
      file: 'src/requests/processors.ts',
      find: "    if (found.outcome !== 'no_match') {\n      const res = resolutionForFind(found);",
      replace:
        "    if (found.outcome !== 'no_match' && (false as boolean)) {\n      const res = resolutionForFind(found);",
    },
  ],
  tests: [
    {
      file: 'test/integration/pipeline.test.ts',
      name: 'register: no match → registers once; exact → records the existing ULN; possible / too many → needs action',
    },
  ],
  ci: true,
});
