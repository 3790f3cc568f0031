import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22 item 3: an achievement batch the LRS refuses as too many (WSEC0046) is split and sent again in smaller batches, every achievement loaded once',
  switchedOff: 'WSEC0046 on a batch submit is handled as any configuration error (every request failed)',
  edits: [
    {
      file: 'src/batches/submit.ts',
      find: '  if (err.code === TOO_MANY_ACHIEVEMENTS && BATCH_KIND_SPECS[b.kind].splitsWhenTooMany)\n',
      replace:
        '  if (err.code === TOO_MANY_ACHIEVEMENTS && BATCH_KIND_SPECS[b.kind].splitsWhenTooMany && (false as boolean))\n',
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
