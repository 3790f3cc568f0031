import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 22: the simulator's batch return codes agree with the code table: RC006 for a learner without the data to create a ULN",
  switchedOff: 'the simulator answers a learner without enough data with RC008 (its old reading)',
  edits: [
    {
      file: 'src/simulator/ls-batches.ts',
      find: "return { rc: 'RC006', counter: 'rejected' };",
      replace: "return { rc: 'RC008', counter: 'rejected' };",
    },
  ],
  tests: [
    {
      file: 'test/integration/simulator-wire.test.ts',
      name: 'answers RC006 for too little data to create a ULN and RC011 for a learner outside 13–110, as the code table reads them',
    },
  ],
  ci: false,
});
