import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Submitting work": a repeated dedupe key returns the existing request (the MIS\'s trigger may fire twice for one change)',
  switchedOff: 'lrs.submit_request stores a request without its dedupe key, so a repeat is a new request',
  edits: [
    {
      file: 'db/functions/submit-request.sql',
      find: '    VALUES (v_org_id, p_requested_by, p_kind, p_mode, p_priority, p_mis_learner_id, p_payload, p_dedupe_key)\n    ON CONFLICT',
      replace:
        '    VALUES (v_org_id, p_requested_by, p_kind, p_mode, p_priority, p_mis_learner_id, p_payload, NULL)\n    ON CONFLICT',
    },
  ],
  tests: [
    {
      file: 'test/integration/submit-limits.test.ts',
      name: 'returns the first request again for the same dedupe key, and never dedupes requests without one',
    },
  ],
  ci: false,
});
