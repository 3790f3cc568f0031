import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/security.md (bounded memory): the XML parser refuses a document over its node budget, so a hostile body cannot build a huge tree',
  switchedOff: "the XML parser's node budget is never spent",
  edits: [
    {
      file: 'src/xml/parse.ts',
      find: '    if (++this.nodes > this.maxNodes) {',
      replace: '    if (++this.nodes > this.maxNodes && (false as boolean)) {',
    },
  ],
  tests: [
    {
      file: 'test/unit/xml/memory.test.ts',
      name: 'counts elements, attributes and text pieces, and refuses one over with a size error',
    },
    {
      file: 'test/unit/xml/memory.test.ts',
      name: 'answers 413 naming the node budget to a request of too many elements, before any organisation check',
    },
  ],
  ci: true,
});
