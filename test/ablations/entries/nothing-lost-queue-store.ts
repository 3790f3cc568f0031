import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Nothing lost": Redis only carries work in flight; with the queue store lost mid-run every request still ends in one terminal state',
  switchedOff: 'the reconcile sweep never re-queues a request whose job is gone',
  edits: [
    {
      file: 'src/requests/reconcile.ts',
      find: '    if (await returnToPendingIfUnchanged(o.pool, row)) result.requeued++;',
      replace:
        '    if ((false as boolean) && (await returnToPendingIfUnchanged(o.pool, row))) result.requeued++;',
    },
  ],
  tests: [
    {
      file: 'test/integration/reliability.test.ts',
      name: 'reliability on redis re-enqueues everything after the queue store is lost mid-run',
    },
  ],
  ci: false,
});
