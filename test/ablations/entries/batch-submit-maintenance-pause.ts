import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22: a batch submit that meets LRS maintenance pauses the batch queue as single calls do (nothing fails, nothing is resubmitted every few hundred milliseconds)',
  switchedOff:
    'a batch submit in maintenance is retried after 300 ms like any other failed send, without pausing the queue',
  edits: [
    {
      file: 'src/batches/submit.ts',
      find: "    log.warn({ code: err.code, pauseMs: next.pauseMs }, 'LRS unavailable; pausing the batch queue');",
      replace:
        "    if ((true as boolean)) throw new RetryableJobError(reason, next.errorClass, 300);\n    log.warn({ code: err.code, pauseMs: next.pauseMs }, 'LRS unavailable; pausing the batch queue');",
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
