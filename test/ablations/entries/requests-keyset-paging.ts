import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 25: the requests list pages (keyset paging): forwards and back through every request once, without a gap or a repeat',
  switchedOff: 'the page ignores the id it continues from: every page is the first',
  edits: [
    {
      file: 'src/db/support-reads.ts',
      find: '[...selectionParams(s), page.from?.id ?? null, page.limit],',
      replace: '[...selectionParams(s), (page.from?.id ?? null) && null, page.limit],',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-requests-list.test.ts',
      name: 'pages through every request once, newest first, and back again',
    },
  ],
  ci: false,
});
