import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/lrs.md §4.5: an update refused with WSRC0013 (the record changed since it was read) is read again and retried, a bounded number of times',
  switchedOff: 'the update processor takes WSRC0013 as its final answer instead of reading the learner again',
  edits: [
    {
      file: 'src/requests/processors.ts',
      find: "    if (res.outcome !== 'stale_version') {",
      replace: "    if (res.outcome !== 'stale_version' || (true as boolean)) {",
    },
  ],
  tests: [
    {
      file: 'test/integration/register-lock.test.ts',
      name: 'WSRC0013: the relay reads the learner again and sends its update with the new version',
    },
  ],
  ci: false,
});
