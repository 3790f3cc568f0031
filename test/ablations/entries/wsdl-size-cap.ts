import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 27 (bounded memory for any input): `wsdl check` reads a service's WSDL up to its own size cap and refuses it past that, never buffered whole",
  switchedOff: "wsdl check's size cap is lifted",
  edits: [
    {
      file: 'src/lrs/wsdl-check.ts',
      find: 'maxBytes: o.maxBytes ?? WSDL_MAX_BYTES,',
      replace: 'maxBytes: o.maxBytes ?? Number.POSITIVE_INFINITY,',
    },
  ],
  tests: [
    {
      file: 'test/unit/lrs/wsdl-check.test.ts',
      name: 'a body past the cap: refused while it streams, never buffered whole',
    },
  ],
  ci: true,
});
