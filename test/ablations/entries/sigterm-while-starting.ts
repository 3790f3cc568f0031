import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Workers" / docs/operations.md: SIGTERM finishes the work in hand and exits 0, also when it comes while the roles are still starting (a deploy stopping a process it just started)',
  switchedOff: 'the SIGTERM handler is installed only once every role has started',
  edits: [
    {
      file: 'src/cli/start.ts',
      find: "    process.on('SIGTERM', onSignal);\n    process.on('SIGINT', onSignal);\n    // A handler runs from the event loop, so never before this line has run.\n    const starting = startRelay({ config, roles, log });",
      replace:
        "    const starting = startRelay({ config, roles, log });\n    void starting.then(() => process.on('SIGTERM', onSignal).on('SIGINT', onSignal));",
    },
  ],
  tests: [
    {
      file: 'test/integration/pipeline-scheduling.test.ts',
      name: 'shuts down in order and exits 0 on a SIGTERM that comes while it is still starting',
    },
  ],
  ci: false,
});
