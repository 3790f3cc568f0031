import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Schedulers": the reconcile sweep re-queues any non-terminal request whose job vanished (e.g. Redis was flushed)',
  switchedOff: 'the reconcile sweep never returns a request whose job is gone to pending',
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
      file: 'test/integration/reconcile.test.ts',
      name: 'clears a job hash no list holds, so the request can be queued again',
    },
  ],
  ci: true,
});
