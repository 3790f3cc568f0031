import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: the exceptions list is the one to-do list: every group a person must act on, the LOCAL_VALIDATION rejections included',
  switchedOff: 'the exceptions list leaves out rejected requests (our own validation refused them)',
  edits: [
    {
      file: 'src/db/support-reads.ts',
      find: "      where r.status in ('needs_action', 'failed', 'rejected') and ($1::int[] is null",
      replace: "      where r.status in ('needs_action', 'failed') and ($1::int[] is null",
    },
  ],
  tests: [
    {
      file: 'test/integration/support-actions.test.ts',
      name: 'CLI exceptions: every group a person must act on, LOCAL_VALIDATION rejections included, most urgent first',
    },
  ],
  ci: false,
});
