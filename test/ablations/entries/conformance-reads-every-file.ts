import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README / issue 22: `lrs-relay conformance` reads every file it is given, whatever its name, and says which it skipped and why',
  switchedOff:
    'only files named *.response* or *.html are checked (the old rule: a folder of real answers checked none)',
  edits: [
    {
      file: 'src/cli/conformance.ts',
      find: '      const skipped = skipReason(bytes);',
      replace:
        "      const skipped = /\\.response|\\.html$/.test(file) ? skipReason(bytes) : 'not named as an answer';",
    },
  ],
  tests: [
    {
      file: 'test/unit/lrs/cli-call.test.ts',
      name: 'reads files named as their source names them, says which it skipped and why, and exits 0',
    },
  ],
  ci: false,
});
