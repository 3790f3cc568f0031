import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Nothing lost" / docs/operations.md "Failures and recovery": the Redis server stopped mid-run with its data lost, the relay keeps running and every request still ends in exactly one terminal state',
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
      file: 'test/integration/outages.test.ts',
      name: 'rides out the Redis server stopped for 10 s mid-run (its data lost)',
    },
  ],
  ci: false,
});
