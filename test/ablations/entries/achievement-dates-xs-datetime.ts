import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22: achievement batch dates (AchievementAwardDate, ActionDate, DateofBirth) are sent as xs:dateTime from a MIS date, timestamp or text, and the envelope validates against the published External schema',
  switchedOff: 'MIS dates are passed through as they came (2024-07-31)',
  edits: [
    {
      file: 'src/lrs/dates.ts',
      find: '  return m ? `${m[1]}T00:00:00` : value;',
      replace: '  return m && (false as boolean) ? `${m[1]}T00:00:00` : value;',
    },
  ],
  tests: [
    {
      file: 'test/unit/lrs/achievement-dates.test.ts',
      name: 'carries xs:dateTime dates and is valid against our External WSDL, from MIS dates, timestamps and text',
    },
  ],
  ci: false,
});
