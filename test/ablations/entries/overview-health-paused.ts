import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 25: the overview's health line shows an organisation whose queue is paused for LRS maintenance as paused, with why",
  switchedOff: 'a maintenance answer on the last call no longer marks the organisation paused',
  edits: [
    {
      file: 'src/support/organisations.ts',
      find: '  if (!row.lastCallAt || !row.lastCallCode) return null;',
      replace: '  if ((true as boolean) || !row.lastCallAt || !row.lastCallCode) return null;',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-overview.test.ts',
      name: 'gives each organisation a health line: can send, paused for LRS maintenance, or broken, with why',
    },
  ],
  ci: false,
});
