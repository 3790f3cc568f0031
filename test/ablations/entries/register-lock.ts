import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'README "No duplicate learners": a registration takes a per-person lock so two requests for one learner cannot both register',
  switchedOff: "a register request goes ahead even when another request holds its learner's lock",
  edits: [
    {
      file: 'src/requests/processors.ts',
      find: 'if (!(await acquireRegisterLock(ctx.pool, key, ctx.request.id, ctx.options.registerLockTtlMs))) {',
      replace:
        'if (!(await acquireRegisterLock(ctx.pool, key, ctx.request.id, ctx.options.registerLockTtlMs)) && (false as boolean)) {',
    },
  ],
  tests: [
    {
      file: 'test/integration/register-lock.test.ts',
      name: 'two simultaneous registrations of one person: the LRS is asked to register once',
    },
  ],
  ci: true,
});
