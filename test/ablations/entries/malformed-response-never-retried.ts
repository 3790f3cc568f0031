import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Retries and codes": answers the client could not read (MALFORMED_RESPONSE: the same answer would come back) are never retried',
  switchedOff: 'MALFORMED_RESPONSE is retried as a transport fault',
  edits: [
    {
      file: 'src/codes/client-codes.ts',
      find: "    C.MALFORMED_RESPONSE,\n    'relay',\n    'unknown',\n    'configuration',",
      replace: "    C.MALFORMED_RESPONSE,\n    'relay',\n    'unknown',\n    'transport',",
    },
  ],
  tests: [
    {
      file: 'test/unit/codes.test.ts',
      name: 'MALFORMED_RESPONSE is never retried, by the workers or in what staff read',
    },
  ],
  ci: false,
});
