import { defineAblation } from '../types.ts';

export default defineAblation({
  promise: 'README "Every call named and audited": each LRS call writes a row to lrs.audit',
  switchedOff: 'the write-back stores no audit rows for the calls a request made',
  edits: [
    {
      file: 'src/db/requests.ts',
      find: '  return audits.map((a) => ({',
      replace: '  return audits.slice(0, 0).map((a) => ({',
    },
  ],
  tests: [
    {
      file: 'test/integration/pipeline.test.ts',
      name: 'pipeline on redis: trigger → LRS → outcome find by demographics: exact match stores the ULN',
    },
  ],
  ci: true,
});
