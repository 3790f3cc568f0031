import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Workers": interactive work (priority 1) goes ahead of imports and bulk work in its organisation\'s queue',
  switchedOff: "the producer enqueues every request at the same priority, ignoring the request's",
  edits: [
    {
      file: 'src/producers/outbox-relay.ts',
      find: '              priority: row.priority,',
      replace: '              priority: row.priority * 0 + 1,',
    },
  ],
  tests: [
    {
      file: 'test/integration/pipeline-scheduling.test.ts',
      name: 'interactive work goes ahead of bulk work',
    },
  ],
  ci: false,
});
