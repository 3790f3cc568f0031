import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: exceptions most urgent first: a configuration fault (it stops the whole organisation) before failed work, before data to correct, whatever the sizes',
  switchedOff: 'a configuration fault is ranked by its status like any other group',
  edits: [
    {
      file: 'src/db/support-reads.ts',
      find: "      order by case when rc.class = 'config_error' then 0 when r.status = 'failed' then 1",
      replace:
        "      order by case when rc.class = 'config_error' and false then 0 when r.status = 'failed' then 1",
    },
  ],
  tests: [
    {
      file: 'test/integration/support-actions.test.ts',
      name: 'CLI exceptions: every group a person must act on, LOCAL_VALIDATION rejections included, most urgent first',
    },
  ],
  ci: false,
});
