import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22: a batch submit that meets LRS maintenance pauses the batch queue as single calls do (nothing fails, nothing is resubmitted every few hundred milliseconds)',
  switchedOff:
    'a batch submit in maintenance is handled like any other failed send (the requests go back to pending)',
  edits: [
    {
      file: 'src/batches/submit.ts',
      find: "  if (next.step === 'pause_queue') {\n    // The LRS is down for everyone: the whole batch queue waits",
      replace:
        "  if (next.step === 'pause_queue' && (false as boolean)) {\n    // The LRS is down for everyone: the whole batch queue waits",
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
