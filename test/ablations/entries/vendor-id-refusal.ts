import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 22 item 4: R9 calls refuse to run with vendor id 0 against anything but the simulator (VENDOR_ID_NOT_SET naming LRS_VENDOR_ID); no call reaches the endpoint',
  switchedOff: 'the LRS client sends R9 calls whatever the vendor id',
  edits: [
    {
      file: 'src/lrs/client.ts',
      find: "    if (spec.service === 'learnerServiceR9') {",
      replace: "    if (spec.service === 'learnerServiceR9' && (false as boolean)) {",
    },
  ],
  tests: [
    {
      file: 'test/integration/vendor-id.test.ts',
      name: 'vendor id 0: the learning-events request fails with VENDOR_ID_NOT_SET and never reaches the endpoint',
    },
  ],
  ci: false,
});
