import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 24: a batch's submit and poll read its own members, not every request batched tonight, even when the statistics predate the night",
  switchedOff: 'the member look-up asks by batch and status at once, with no materialized step between',
  edits: [
    {
      file: 'src/db/batches.ts',
      find: 'with member as materialized (select id, status from lrs.request where batch_id = $1)',
      replace: 'with member as not materialized (select id, status from lrs.request where batch_id = $1)',
    },
  ],
  tests: [
    {
      file: 'test/integration/batch-plans.test.ts',
      name: 'reads one batch through the batch index, not every request batched tonight',
    },
  ],
  ci: false,
});
