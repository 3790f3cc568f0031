import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "Every call named and audited": each LRS call carries the organisation\'s identity and the UserName of the person or process behind it',
  switchedOff: "single calls carry a fixed UserName instead of the request's requester",
  edits: [
    {
      file: 'src/requests/run.ts',
      find: 'const org = await organisationForJob(deps.clients, request.organisationId, request.requestedBy);',
      replace: "const org = await organisationForJob(deps.clients, request.organisationId, 'lrs-relay');",
    },
  ],
  tests: [
    {
      file: 'test/integration/call-identity.test.ts',
      name: 'each LRS call carries the UserName of the person behind its request and the organisation',
    },
  ],
  ci: true,
});
