import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isSimulatorEndpoint, vendorIdRefusal } from '../../../src/lrs/endpoints.ts';

describe('vendor id 0 against an endpoint that is not the simulator', () => {
  it('counts only plain http:// as the simulator: every https:// endpoint may be the LRS, on this machine too', () => {
    expect(isSimulatorEndpoint('http://127.0.0.1:8999/LearnerServiceR9.svc')).toBe(true);
    expect(isSimulatorEndpoint('http://simulator:8999/LearnerServiceR9.svc')).toBe(true);
    expect(isSimulatorEndpoint('https://ws.lrs.education.gov.uk/LearnerServiceR9.svc')).toBe(false);
    expect(isSimulatorEndpoint('https://10.0.0.5:8443/LearnerServiceR9.svc')).toBe(false);
    expect(isSimulatorEndpoint('https://localhost:8443/LearnerServiceR9.svc')).toBe(false);
    expect(isSimulatorEndpoint('not a url')).toBe(false);
  });

  it('refuses only vendor id 0, naming the endpoint, who issues the id, our code and the fix', () => {
    const endpoint = 'https://ws.lrs.education.gov.uk/x';
    expect(vendorIdRefusal(12, endpoint)).toBeUndefined();
    expect(vendorIdRefusal(0, 'http://127.0.0.1:8999/x')).toBeUndefined();
    expect(vendorIdRefusal(0, endpoint, 'set LRS_VENDOR_ID')).toBe(
      'vendor id is 0 (not set) and https://ws.lrs.education.gov.uk/x is not the simulator: the LRS issues a ' +
        'vendor id to each software supplier and expects it on every R9 call (learning events, learner by ULN), ' +
        'so lrs-relay refuses to send them without one (VENDOR_ID_NOT_SET). Ask the supplier of this software or ' +
        'the LRS service desk for it; set LRS_VENDOR_ID',
    );
    expect(vendorIdRefusal(undefined, endpoint)).toContain(
      '`lrs-relay orgs update <organisation> --vendor-id N`',
    );
  });

  it('lrs-relay start warns at start-up with LRS_VENDOR_ID=0 and the production LRS', async () => {
    const bin = new URL('../../../bin/lrs-relay.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, 'start', '--role', 'worker'], {
      env: {
        PATH: process.env.PATH ?? '',
        // Nothing to connect to: the warning comes before any connection, and the child is stopped then.
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1',
        LRS_BASE_URL: 'https://ws.lrs.education.gov.uk',
        LRS_VENDOR_ID: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const warned = await new Promise<boolean>((resolve) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes('vendor id is 0')) resolve(true);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', () => resolve(output.includes('vendor id is 0')));
    });
    child.kill('SIGKILL');
    expect(warned).toBe(true);
    const line = JSON.parse(output.split('\n').find((l) => l.includes('vendor id is 0')) ?? '{}') as {
      level?: number;
      msg?: string;
    };
    expect(line.level).toBe(40);
    expect(line.msg).toContain('https://ws.lrs.education.gov.uk/LearnerServiceR9.svc is not the simulator');
    expect(line.msg).toContain('set LRS_VENDOR_ID');
  }, 60_000);
});
