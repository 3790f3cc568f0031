import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 23: stopping the worker process makes /readyz report the worker role missing, and LrsRelayRoleMissing fires',
  switchedOff:
    'a process that stops no longer marks its heartbeat row stopped (it still counts for a minute)',
  edits: [
    {
      file: 'src/processes/heartbeat.ts',
      find: '        await markProcessStopped(o.pool, record.id).catch(',
      replace: '        await Promise.resolve(markProcessStopped).catch(',
    },
  ],
  tests: [
    {
      file: 'test/integration/monitoring-scrape.test.ts',
      name: 'stopping the worker: /readyz names the worker role missing, and promtool fires LrsRelayRoleMissing',
    },
  ],
  ci: false,
});
