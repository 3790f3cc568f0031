import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Schedulers" / docs/batches.md: the batch sweep gives every open batch whose job was lost (Redis flushed, an enqueue lost after commit) its submit or poll job back',
  switchedOff: 'the batch sweep treats every job as live',
  edits: [
    {
      file: 'src/batches/sweep.ts',
      find: '      if (!isLiveJobState(state)) lost.push({ row, state });',
      replace: '      if (!isLiveJobState(state) && (false as boolean)) lost.push({ row, state });',
    },
  ],
  tests: [
    {
      file: 'test/integration/batch-sweep.test.ts',
      name: 'gives a batch whose job is gone its submit or poll job back',
    },
  ],
  ci: false,
});
