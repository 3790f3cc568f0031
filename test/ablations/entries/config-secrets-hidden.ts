import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/security.md (secrets never printed) and README "Configuration": a bad secret\'s value (SECRETS_KEY, METRICS_TOKEN) is never echoed in the configuration error',
  switchedOff: 'the configuration error quotes every bad value, secrets too',
  edits: [
    {
      file: 'src/config.ts',
      find: "        key === 'SECRETS_KEY' || key === 'METRICS_TOKEN' ? '(hidden)' : JSON.stringify(input[key]);",
      replace:
        "        (key === 'SECRETS_KEY' || key === 'METRICS_TOKEN') && (false as boolean) ? '(hidden)' : JSON.stringify(input[key]);",
    },
  ],
  tests: [
    {
      file: 'test/unit/config.test.ts',
      name: 'reports one line per bad variable, naming it, what is wrong and an example',
    },
  ],
  ci: false,
});
