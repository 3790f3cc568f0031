import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: requests can be found by ULN (the one the MIS sent or the one the LRS gave), not only by MIS id',
  switchedOff: "the learner search compares the MIS learner id only, not the payload's or the outcome's ULN",
  edits: [
    {
      file: 'src/db/support-reads.ts',
      find: "        r.mis_learner_id = $7 or r.payload ->> 'uln' = $7\n        or exists (select 1 from lrs.outcome x where x.request_id = r.id and (x.uln = $7 or x.master_uln = $7))\n",
      replace: '        r.mis_learner_id = $7\n',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-requests-list.test.ts',
      name: 'finds a learner by ULN, MIS id or name, and shows the name, for staff who may see them',
    },
  ],
  ci: false,
});
