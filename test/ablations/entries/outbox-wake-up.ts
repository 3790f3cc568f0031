import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Producer (outbox relay)": listens on lrs_request (and also polls), so new work is picked up at once, not at the next poll',
  switchedOff: 'the outbox relay ignores lrs_request notifications and relies on polling alone',
  edits: [
    {
      file: 'src/producers/outbox-relay.ts',
      find: "client.on('notification', () => this.kick());",
      replace: "client.on('notification', () => undefined);",
    },
  ],
  tests: [
    {
      file: 'test/integration/outbox-wakeup.test.ts',
      name: 'a submitted request is carried out within seconds while polling is ten minutes apart',
    },
  ],
  ci: true,
});
