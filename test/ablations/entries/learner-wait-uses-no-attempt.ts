import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: a wait for another request of the same learner uses no attempt (lrs.request.attempts, the count the retry decision reads, is given back)',
  switchedOff: 'the learner-busy wait keeps the attempt its claim counted',
  edits: [
    {
      file: 'src/requests/run.ts',
      find: '        error: e.message,\n        audits,\n        attemptUsed: false,',
      replace: '        error: e.message,\n        audits,\n        attemptUsed: true,',
    },
  ],
  tests: [
    {
      file: 'test/integration/register-lock.test.ts',
      name: 'two simultaneous registrations of one person: the LRS is asked to register once',
    },
  ],
  ci: false,
});
