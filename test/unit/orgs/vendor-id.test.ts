import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isRealLrsEndpoint, vendorIdWarning } from '../../../src/orgs/vendor-id.ts';

describe('vendor id 0 against an endpoint that is not the simulator', () => {
  it('counts only https:// on a host that is not this machine as possibly the real LRS', () => {
    expect(isRealLrsEndpoint('https://ws.lrs.education.gov.uk/LearnerServiceR9.svc')).toBe(true);
    expect(isRealLrsEndpoint('https://10.0.0.5:8443/LearnerServiceR9.svc')).toBe(true);
    expect(isRealLrsEndpoint('http://127.0.0.1:8999/LearnerServiceR9.svc')).toBe(false);
    expect(isRealLrsEndpoint('http://simulator:8999/LearnerServiceR9.svc')).toBe(false);
    expect(isRealLrsEndpoint('https://localhost:8443/LearnerServiceR9.svc')).toBe(false);
    expect(isRealLrsEndpoint('https://[::1]:8443/LearnerServiceR9.svc')).toBe(false);
  });

  it('warns only for vendor id 0, naming the endpoint, who issues the id and the fix', () => {
    const o = { endpoint: 'https://ws.lrs.education.gov.uk/x', fix: 'set LRS_VENDOR_ID' };
    expect(vendorIdWarning({ ...o, vendorId: 12 })).toBeUndefined();
    expect(vendorIdWarning({ ...o, endpoint: 'http://127.0.0.1:8999/x', vendorId: 0 })).toBeUndefined();
    expect(vendorIdWarning({ ...o, vendorId: 0 })).toBe(
      'vendor id is 0 but https://ws.lrs.education.gov.uk/x is not the simulator: the LRS issues a vendor id ' +
        'to each software vendor (ask the LRS service desk or the vendor of this software for it) and expects ' +
        'it on every R9 call (learning events, learner by ULN); set LRS_VENDOR_ID',
    );
  });

  it('lrs-relay start logs the warning at start-up with LRS_VENDOR_ID=0 and the production LRS', async () => {
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
