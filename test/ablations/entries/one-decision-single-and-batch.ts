import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: one function decides retry, delay and pause; the same LRS code after the same attempts gets the same step from a single call and from a batch submit',
  switchedOff: 'the batch submit counts one attempt more than it has made when it asks for the next step',
  edits: [
    {
      file: 'src/batches/submit.ts',
      find: '  const next = decideNextStep(err, Math.max(0, attempt - 1), deps.policy);',
      replace: '  const next = decideNextStep(err, attempt, deps.policy);',
    },
  ],
  tests: [
    {
      file: 'test/unit/one-decision.test.ts',
      name: 'a transient failure, third attempt (CONNECTION_FAILED after 2 attempts): retry',
    },
  ],
  ci: false,
});
