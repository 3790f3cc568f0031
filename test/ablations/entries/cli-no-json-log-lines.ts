import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 23: no raw JSON log line reaches a CLI command's output (`orgs test` of a broken organisation)",
  switchedOff: 'the CLI logger writes the pino JSON record as it is',
  edits: [
    {
      file: 'src/cli/kit.ts',
      find: '        writeLine(`lrs-relay ${command}: ${word}: ${terminalText(record.msg)}`);',
      replace: '        writeLine(json.trimEnd() + String(word.length * 0));',
    },
    {
      file: 'src/cli/orgs.ts',
      find: "createCliLogger('orgs', 'silent')",
      replace: "createCliLogger('orgs', 'warn')",
    },
  ],
  tests: [
    {
      file: 'test/integration/cli-output.test.ts',
      name: 'orgs test --ukprn tests that organisation, and no JSON log line reaches the terminal',
    },
  ],
  ci: false,
});
