import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "In production, run compiled JavaScript": `npm run build` compiles src/ to dist/ with the files the compiled code reads at run time beside it (migrations, SQL functions, sample MIS SQL, WSDLs), so a pruned installation migrates and runs from dist/ alone',
  switchedOff: 'the build leaves the SQL functions (db/functions) out of dist/',
  edits: [
    {
      file: 'scripts/build.mjs',
      find: "const ASSETS = ['db/migrations', 'db/functions', 'db/sample-mis.sql',",
      replace: "const ASSETS = ['db/migrations', 'db/sample-mis.sql',",
    },
  ],
  tests: [
    {
      file: 'test/integration/build.test.ts',
      name: 'migrates a new database and starts every role, which carries a request to the LRS',
    },
  ],
  ci: false,
});
