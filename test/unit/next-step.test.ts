import { describe, expect, it } from 'vitest';
import { decideNextStep } from '../../src/codes/next-step.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/codes/retry-policy.ts';

const half = () => 0.5;
const next = (code: string, attemptsMade = 0) =>
  decideNextStep({ code }, attemptsMade, DEFAULT_RETRY_POLICY, half);

describe('decideNextStep: one decision for single calls, batch submits and polls', () => {
  it('maintenance and out of hours pause the queue, whatever attempts were made', () => {
    for (const attempts of [0, 7, 50]) {
      expect(next('LRS_MAINTENANCE', attempts)).toEqual({
        step: 'pause_queue',
        errorClass: 'maintenance',
        pauseMs: DEFAULT_RETRY_POLICY.maintenance.pauseQueueMs,
      });
      expect(next('WSEC0004', attempts)).toMatchObject({ step: 'pause_queue', errorClass: 'out_of_hours' });
    }
  });
  it('a transport failure is retried with the policy backoff until its attempts are used', () => {
    expect(next('CONNECTION_FAILED', 0)).toEqual({ step: 'retry', errorClass: 'transport', delayMs: 2_000 });
    expect(next('CONNECTION_FAILED', 2)).toEqual({ step: 'retry', errorClass: 'transport', delayMs: 8_000 });
    expect(next('CONNECTION_FAILED', 9)).toEqual({ step: 'settle', errorClass: 'transport' });
  });
  it('data and configuration errors settle at once; a code nobody documented is not retried', () => {
    expect(next('WSEC0001')).toEqual({ step: 'settle', errorClass: 'data_error' });
    expect(next('WSEC0005')).toEqual({ step: 'settle', errorClass: 'configuration' });
    expect(next('WSEC0777')).toEqual({ step: 'settle', errorClass: 'data_error' });
  });
  it('a learner busy with another request waits without an attempt', () => {
    expect(next('LEARNER_BUSY', 3)).toEqual({ step: 'wait', delayMs: 2_000 });
  });
});
