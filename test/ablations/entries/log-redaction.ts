import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'docs/security.md: personal data and secrets never reach a log line (the root logger redacts them by path, at any depth)',
  switchedOff: "the root logger's redaction paths are emptied",
  edits: [
    {
      file: 'src/log.ts',
      find: "redact: { paths: redactPaths(), censor: '[redacted]' },",
      replace: "redact: { paths: redactPaths().slice(0, 0), censor: '[redacted]' },",
    },
  ],
  tests: [
    {
      file: 'test/unit/log.test.ts',
      name: 'never writes personal data or secrets, at the top level or nested',
    },
  ],
  ci: true,
});
