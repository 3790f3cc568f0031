import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 22: the LRS's real maintenance answer (HTTP 405, MIAPAPIException with ErrorCode WSEC0001 and Description UnsupportedHttpVerb) is read as maintenance, not as a data error that fails the request for good",
  switchedOff:
    "the fault's ErrorCode is read first: HTTP 405 or UnsupportedHttpVerb count only in a fault without a code",
  edits: [
    {
      file: 'src/lrs/response.ts',
      find: '    httpStatus === 405 ||\n    namesUnsupportedHttpVerb(description, furtherDetails) ||\n    (!lrsCode && mentionsUnsupportedHttpVerb(fault))',
      replace:
        '    (!lrsCode && (httpStatus === 405 || namesUnsupportedHttpVerb(description, furtherDetails))) ||\n    (!lrsCode && mentionsUnsupportedHttpVerb(fault))',
    },
  ],
  tests: [
    {
      file: 'test/unit/lrs/responses.test.ts',
      name: 'maintenance in SOAP form is LRS_MAINTENANCE too: HTTP 405, or a fault saying UnsupportedHttpVerb',
    },
  ],
  ci: true,
});
