import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 21 / docs/security.md: the CLI shows stored text with every control, format and direction character (U+061C, U+200B, U+FFF9 and their kin) escaped',
  switchedOff: 'the CLI escapes only C0/C1 controls and the explicit direction overrides, as before',
  edits: [
    {
      file: 'src/cli/kit.ts',
      find: 'const TERMINAL_CONTROL = /[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}]/gu;',
      replace:
        'const TERMINAL_CONTROL = /[\\p{Cc}\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]/gu;',
    },
  ],
  tests: [
    {
      file: 'test/integration/cli-terminal-text.test.ts',
      name: 'requests show escapes each stored field',
    },
    {
      file: 'test/integration/cli-terminal-text.test.ts',
      name: 'requests (table) shows control characters only as escapes',
    },
  ],
  ci: false,
});
