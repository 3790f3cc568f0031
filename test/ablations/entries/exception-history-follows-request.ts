import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: the history of exceptions stays true to the requests: a request deleted, or lrs.request truncated and its ids started again, takes its exception periods with it (no stale open period under an id a new request takes)',
  switchedOff: 'migration 0015 adds no foreign key from lrs.exception_span to lrs.request',
  edits: [
    {
      file: 'db/migrations/0015_exception_span_request_fk.sql',
      find: 'ALTER TABLE "lrs"."exception_span" ADD CONSTRAINT',
      replace: '-- ALTER TABLE "lrs"."exception_span" ADD CONSTRAINT',
    },
  ],
  tests: [
    { file: 'test/integration/exception-span.test.ts', name: 'a deleted request takes its periods with it' },
    {
      file: 'test/integration/exception-span.test.ts',
      name: 'ids started again after a truncate meet no stale open period',
    },
  ],
  ci: false,
});
