import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: a batch submit counts its tries in its member requests’ lrs.request.attempts (the one counter; BullMQ’s is a safety bound), so a submit that keeps failing is tried as often as the policy allows its class and its requests are then settled',
  switchedOff:
    'a failed submit try that will be retried counts no attempt for the next try on the batch’s members',
  edits: [
    {
      file: 'src/db/batches.ts',
      find: '       update lrs.request set attempts = attempts + 1, updated_at = now()\n        where $4::boolean and batch_id',
      replace:
        '       update lrs.request set attempts = attempts + 0, updated_at = now()\n        where $4::boolean and batch_id',
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
