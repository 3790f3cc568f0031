import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22 item 3 / issue 24: after WSEC0046 the refused achievements go again in smaller batches at the next assembly pass, not when the claim cursors are next dropped (BATCH_WINDOW_MS, at least 30 s)',
  switchedOff: 'a new refusal does not drop the organisation’s achievement cursor',
  edits: [
    {
      file: 'src/batches/assemble.ts',
      find: '      if (this.knownCaps.get(org) !== cap)',
      replace: '      if (this.knownCaps.get(org) !== cap && (false as boolean))',
    },
  ],
  tests: [
    {
      file: 'test/integration/achievement-too-many.test.ts',
      name: 'is never sent again unchanged: split into smaller batches, every achievement loaded once',
    },
  ],
  ci: false,
});
