import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: a batch submit counts its tries in its member requests’ lrs.request.attempts (the one counter; BullMQ’s is a safety bound), so a submit that keeps failing is tried as often as the policy allows its class and its requests are then settled',
  switchedOff: 'a submit try counts no attempt on the batch’s members',
  edits: [
    {
      file: 'src/db/batches.ts',
      find: "       update lrs.request set attempts = attempts + 1, updated_at = now()\n        where batch_id = (select id from b) and status = 'batched' returning attempts",
      replace:
        "       update lrs.request set attempts = attempts + 0, updated_at = now()\n        where batch_id = (select id from b) and status = 'batched' returning attempts",
    },
  ],
  tests: [
    {
      file: 'test/integration/batch-failures.test.ts',
      name: 'a submit that fails every time before the LRS takes it: tried as often as its class allows, one attempt of every member each, then settled',
    },
  ],
  ci: false,
});
