import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 25: a learner search looks only among the organisations whose personal data the searcher may see (finding a request by a person's details says the person is there)",
  switchedOff:
    'a search looks in every organisation the searcher sees, not only those whose personal data they may see',
  edits: [
    {
      file: 'src/support/queries.ts',
      find: '{ text: f.search.slice(0, 100), scope: personalScope(actor, scope) }',
      replace: '{ text: f.search.slice(0, 100), scope }',
    },
  ],
  tests: [
    {
      file: 'test/integration/support-requests-list.test.ts',
      name: "an admin granted one organisation's personal data finds learners of that organisation only",
    },
  ],
  ci: false,
});
