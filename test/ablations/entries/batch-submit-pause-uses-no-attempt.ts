import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: a batch submit that meets LRS maintenance uses no attempt of its members (the attempt its try counted is given back, as a single call’s is)',
  switchedOff: 'a submit try that pauses the queue keeps the attempt it counted',
  edits: [
    {
      file: 'src/batches/submit.ts',
      find: "    attemptUsed: next.step === 'retry',",
      replace: "    attemptUsed: next.step !== 'wait',",
    },
  ],
  tests: [
    {
      file: 'test/integration/maintenance.test.ts',
      name: 'a registration batch: its submit and then its polls pause the batch queue; nothing fails',
    },
  ],
  ci: false,
});
