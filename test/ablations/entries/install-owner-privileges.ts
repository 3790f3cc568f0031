import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 23 / docs/install.md step 1: an owner with exactly the privileges the doc names runs `migrate` and `start`',
  switchedOff: 'the doc grants the owner CONNECT and CREATE only (no TEMPORARY)',
  edits: [
    {
      file: 'docs/install.md',
      find: 'GRANT CONNECT, CREATE, TEMPORARY ON DATABASE lrs_relay TO lrs_relay;',
      replace: 'GRANT CONNECT, CREATE ON DATABASE lrs_relay TO lrs_relay;',
    },
  ],
  tests: [
    {
      file: 'test/integration/install.test.ts',
      name: 'that owner runs migrate and start, and the relay carries what the MIS login submits',
    },
  ],
  ci: false,
});
