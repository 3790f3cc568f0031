import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22 item 3: after WSEC0046 (more achievements than the LRS allows in one request) the same batch is never sent again unchanged: the organisation’s achievement batches are made at most half as big',
  switchedOff:
    'the assembler ignores the cap the refusal set, so the requests go out in a batch as big again',
  edits: [
    {
      file: 'src/batches/assemble.ts',
      find: '        limit: Math.min(this.o.limits[g.kind], cap ?? Infinity),',
      replace: '        limit: Math.max(this.o.limits[g.kind], cap ?? 0),',
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
