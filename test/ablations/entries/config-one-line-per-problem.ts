import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Configuration": a bad value stops start-up with one line per problem naming the variable, what is wrong and an example',
  switchedOff: 'only the first problem is reported',
  edits: [
    {
      file: 'src/config.ts',
      find: '    const problems = parsed.error.issues.map((issue) => {',
      replace: '    const problems = parsed.error.issues.slice(0, 1).map((issue) => {',
    },
  ],
  tests: [
    {
      file: 'test/unit/config.test.ts',
      name: 'reports one line per bad variable, naming it, what is wrong and an example',
    },
  ],
  ci: false,
});
