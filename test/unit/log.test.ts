import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'info' }, stream) };
}

describe('logger redaction', () => {
  it('never writes personal data or secrets, at the top level or nested', () => {
    const { lines, log } = capture();
    log.info(
      {
        requestId: 42,
        givenName: 'Zebedee',
        learner: { familyName: 'Quixotic', dateOfBirth: '2001-02-03' },
        // Every personal field of the payload (PERSONAL_FIELDS), not only the names and date of birth.
        record: { schoolAtAge16: 'Grimthorpe Academy', uln: '9876543210', notes: 'Prefers Zeb' },
        input: { lastKnownPostCode: 'CV4 9EE', emailAddress: 'z@example.org', password: 'AbCdEfGh12345678' },
      },
      'called',
    );
    const out = lines.join('');
    for (const secret of [
      'Zebedee',
      'Quixotic',
      '2001-02-03',
      'CV4 9EE',
      'z@example.org',
      'AbCdEfGh12345678',
      'Grimthorpe',
      '9876543210',
      'Prefers Zeb',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('"requestId":42');
  });
});

describe('the CLI logger', () => {
  it('writes one plain, escaped line per record at its level and above, without the fields', async () => {
    const { createCliLogger } = await import('../../src/cli/kit.ts');
    const lines: string[] = [];
    const log = createCliLogger('call', 'warn', (l) => lines.push(l));
    log.info('not shown');
    log.warn({ password: 'AbCdEfGh12345678', daysUntilExpiry: 5 }, 'certificate expires soon \x1b[2J');
    log.error({ code: 'X' }, 'cannot read');
    expect(lines).toEqual([
      'lrs-relay call: warning: certificate expires soon \\x1b[2J',
      'lrs-relay call: error: cannot read',
    ]);
    const silent: string[] = [];
    createCliLogger('orgs', 'silent', (l) => silent.push(l)).error('x');
    expect(silent).toEqual([]);
  });
});
