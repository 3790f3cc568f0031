import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/security.md "Retention": finished requests\' personal data is purged after RETENTION_REQUEST_DAYS; the purge runs in the scheduler role',
  switchedOff: 'the scheduled retention-purge job runs and does nothing',
  edits: [
    {
      file: 'src/schedulers/schedule.ts',
      find: '      repeat: { every: c.RETENTION_PURGE_INTERVAL_MS },\n      run: async () => {\n',
      replace:
        '      repeat: { every: c.RETENTION_PURGE_INTERVAL_MS },\n      run: async () => {\n        if (true as boolean) return { requests: 0, learningEvents: 0, more: false };\n',
    },
  ],
  tests: [
    {
      file: 'test/integration/retention-schedule.test.ts',
      name: "the running scheduler purges a finished request's personal data once it is past retention",
    },
  ],
  ci: false,
});
