import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Nothing lost": with worker processes killed with SIGKILL mid-run, every request still ends in exactly one terminal state',
  switchedOff:
    "a killed worker's jobs are never given back: BullMQ's stall check fails them at once and the reconcile sweep re-queues nothing",
  edits: [
    {
      file: 'src/workers/single-workers.ts',
      find: '        maxStalledCount: 2,',
      replace: '        maxStalledCount: 0,',
    },
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
      name: 'reliability on redis loses nothing when worker processes are killed with SIGKILL repeatedly',
    },
  ],
  ci: false,
});
