import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 23: `lrs-relay requests show N | head` ends quietly with the command's exit code, no EPIPE stack trace",
  switchedOff: 'the CLI no longer handles EPIPE on stdout and stderr',
  edits: [
    {
      file: 'src/cli/main.ts',
      find: "    if (e.code !== 'EPIPE') throw e;",
      replace: "    if (e.code !== 'EPIPE' || (true as boolean)) throw e;",
    },
  ],
  tests: [
    {
      file: 'test/integration/cli-output.test.ts',
      name: 'requests show N into a reader that stopped early ends quietly with exit 0',
    },
    {
      file: 'test/integration/cli-output.test.ts',
      name: 'requests list into a reader that stopped early ends quietly with exit 0',
    },
  ],
  ci: false,
});
