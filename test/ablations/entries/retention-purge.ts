import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/security.md "Retention": a finished request\'s personal data (payload, notes, errors, the outcome\'s learner details) is purged past retention, keeping codes and ULNs',
  switchedOff: 'the purge marks requests purged without clearing their personal data',
  edits: [
    {
      file: 'src/db/retention.ts',
      find: "        set payload = '{}'::jsonb, last_error = null, staff_note = null, dedupe_key = null, purged_at = now()",
      replace: '        set purged_at = now()',
    },
  ],
  tests: [
    {
      file: 'test/integration/retention.test.ts',
      name: 'purges only finished work past retention, in chunks, and keeps codes, ULNs and open work',
    },
  ],
  ci: false,
});
