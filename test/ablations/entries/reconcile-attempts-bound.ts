import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 26: lrs.request.attempts is the one count of attempts; the reconcile sweep fails a lost request once it has used as many as the retry policy allows any class (not three times that)',
  switchedOff: 'the reconcile sweep caps at three times the policy’s attempts again',
  edits: [
    {
      file: 'src/requests/reconcile.ts',
      find: '  const limit = maxAttempts(o.policy);',
      replace: '  const limit = maxAttempts(o.policy) * 3;',
    },
  ],
  tests: [
    {
      file: 'test/integration/reconcile.test.ts',
      name: 'fails a lost request once it has used the attempts the policy allows, and re-queues one with an attempt left',
    },
  ],
  ci: false,
});
