import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Workers": one BullMQ queue per organisation, so one organisation\'s backlog never starves another\'s',
  switchedOff: 'every organisation shares one single-call queue',
  edits: [
    {
      file: 'src/queues/catalogue.ts',
      find: '  return `${QUEUES.singlePrefix}${organisationId}`;',
      replace: '  return `${QUEUES.singlePrefix}${organisationId * 0}`;',
    },
  ],
  tests: [
    {
      file: 'test/integration/pipeline-scheduling.test.ts',
      name: "one organisation's backlog does not hold up another organisation's work",
    },
  ],
  ci: false,
});
