import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "docs/security.md: erasure removes the learner from other requests' possible-match candidates, and retention purges finished batches' LRS error text",
  switchedOff:
    "erasure leaves other requests' candidate lists alone and the purge leaves lrs.batch.last_error",
  edits: [
    {
      file: 'src/db/retention.ts',
      find: '      where oc.organisation_id = $2 and not (oc.request_id = any($1::bigint[]))',
      replace: '      where false and oc.organisation_id = $2 and not (oc.request_id = any($1::bigint[]))',
    },
    {
      file: 'src/db/retention.ts',
      find: '        where last_error is not null and status = any($3::text[])',
      replace: '        where false and last_error is not null and status = any($3::text[])',
    },
  ],
  tests: [
    {
      file: 'test/integration/retention.test.ts',
      name: 'erases the learner’s personal data and keeps anonymous rows so counts stay right',
    },
    {
      file: 'test/integration/retention.test.ts',
      name: 'purges only finished work past retention, in chunks, and keeps codes, ULNs and open work',
    },
  ],
  ci: false,
});
