import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RELAY_CODES } from '../../src/codes/client-codes.ts';
import { PIPELINE_CODES } from '../../src/codes/pipeline-codes.ts';
import { DEFAULT_RETRY_POLICY, describeRetry } from '../../src/codes/retry-policy.ts';
import { responseCodeRows } from '../../src/codes/seed.ts';
import { classifyFailure, CODE_TABLE, explainCode } from '../../src/codes/table.ts';
import { LrsError } from '../../src/lrs/errors.ts';
import { readLrsAnswer, relayError } from '../../src/lrs/response.ts';
import { resolutionForError } from '../../src/requests/resolve.ts';
import { RETURN_CODES } from '../../src/simulator/ls-batches.ts';

/** A MIAPAPIException fault carrying `code`, as LearnerService.svc sends it (docs/lrs.md §5.4). */
const miapFault = (code: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault>` +
  `<faultcode>soapenv:Server</faultcode><faultstring>uk.gov.miap.lrs.api.exceptions.MIAPAPIException</faultstring>` +
  `<detail><ns10:MIAPAPIException xmlns:ns10="http://api.lrs.miap.gov.uk/exceptions"><ErrorCode>${code}</ErrorCode>` +
  `<Description>d</Description></ns10:MIAPAPIException></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

/** The LrsError the client raises for `code`: a fault from the LRS for its codes, our own error for ours. */
function clientError(code: string, source: 'lrs' | 'relay'): LrsError {
  if (source === 'relay') return relayError(code, 'test');
  try {
    readLrsAnswer({ status: 500, body: miapFault(code) });
  } catch (e) {
    if (e instanceof LrsError) return e;
    throw e;
  }
  throw new Error(`no error for ${code}`);
}

/** What the workers do with an LrsError of this code: retried (or paused for) by the policy, or not. */
const workersRetry = (code: string) => {
  const rule = DEFAULT_RETRY_POLICY[classifyFailure({ code })];
  return rule.attempts > 1 || rule.pauseQueueMs !== undefined;
};

describe('the code table', () => {
  it('explains every code of ours, with a resolution note for support staff', () => {
    for (const code of [...Object.values(PIPELINE_CODES), ...Object.values(RELAY_CODES)]) {
      const entry = explainCode(code);
      expect(entry.source, code).toBe('relay');
      expect(entry.meaning, code).not.toBe(explainCode('NO_SUCH_CODE').meaning);
      expect(entry.resolution.length, code).toBeGreaterThan(10);
    }
  });

  it('lists each code once', () => {
    const codes = CODE_TABLE.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps an unknown LRS code verbatim, classes it unknown, and nobody retries it', () => {
    expect(explainCode('WSRC0099')).toMatchObject({ code: 'WSRC0099', class: 'unknown', source: 'lrs' });
    expect(clientError('WSEC0777', 'lrs')).toMatchObject({ code: 'WSEC0777', retryable: false });
    expect(workersRetry('WSEC0777')).toBe(false);
  });

  it('seeds lrs.response_code with exactly the table (what explain and the dashboard read)', () => {
    expect(responseCodeRows()).toEqual(
      CODE_TABLE.map(({ code, source, class: cls, meaning, retry, resolution }) => ({
        code,
        source,
        class: cls,
        meaning,
        retry,
        resolution,
      })),
    );
  });
});

describe('one retry policy: workers, the client and what staff read agree for every code', () => {
  const failures = CODE_TABLE.filter((c) => c.errorClass !== 'none');

  it.each(failures.map((c) => [c.code, c] as const))('%s', (code, entry) => {
    // What staff read (seed, explain) is what the policy does for the code's error class.
    expect(entry.retry).toBe(describeRetry(DEFAULT_RETRY_POLICY[classifyFailure({ code })]));
    expect(classifyFailure({ code })).toBe(entry.errorClass);
    // The client's error carries the table's class, and `retryable` exactly when the workers retry it.
    const err = clientError(code, entry.source);
    expect(err).toMatchObject({ code, class: entry.class, retryable: workersRetry(code) });
    expect(entry.retry !== 'never').toBe(workersRetry(code));
  });

  it('answers and pipeline decisions are never retried by the workers (the poller or a wait repeats them)', () => {
    for (const entry of CODE_TABLE.filter((c) => c.errorClass === 'none')) {
      expect(workersRetry(entry.code), entry.code).toBe(false);
      if (entry.retry !== 'never')
        expect([
          ['WSRC0008', 'poll'],
          ['LEARNER_BUSY', 'waits'],
        ]).toContainEqual([entry.code, entry.retry]);
    }
  });

  it('MALFORMED_RESPONSE is never retried, by the workers or in what staff read', () => {
    // The workers used to retry it 10 times while explain and the seed said "never".
    // A well-formed SOAP answer that is not the one the operation expects.
    const answer = readFileSync(
      new URL('../fixtures/lrs/responses/find-exact.response.xml', import.meta.url),
      'utf8',
    );
    let err: unknown;
    try {
      readLrsAnswer({ status: 200, body: answer }, 'registerSingleLearner', [
        'registerSingleLearnerResponse',
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'MALFORMED_RESPONSE', retryable: false });
    expect(workersRetry('MALFORMED_RESPONSE')).toBe(false);
    expect(explainCode('MALFORMED_RESPONSE').retry).toBe('never');
  });

  it('WSEC0999 and WCEC0999: a few retries well apart, then a person', () => {
    for (const code of ['WSEC0999', 'WCEC0999']) {
      expect(explainCode(code)).toMatchObject({ source: 'lrs', class: 'needs_action', retry: 'backoff' });
      expect(explainCode(code).resolution).not.toMatch(/application conditions/);
      expect(clientError(code, 'lrs')).toMatchObject({ code, codeSource: 'lrs', retryable: true });
      expect(classifyFailure({ code })).toBe('lrs_unexpected');
    }
    const rule = DEFAULT_RETRY_POLICY.lrs_unexpected;
    expect(rule.attempts).toBeLessThanOrEqual(3);
    expect(rule.baseDelayMs).toBeGreaterThanOrEqual(5 * 60_000);
    // Settled after its last attempt, the request needs a person: not failed like a transport error.
    expect(resolutionForError(clientError('WCEC0999', 'lrs')).status).toBe('needs_action');
  });
});

describe('the codes the LRS was found to send (issue 22)', () => {
  it.each([
    ['WSRC0030', 'data_error', /verification batch record count/i],
    ['WSRC0043', 'config_error', /not set up .* achievement/i],
    ['WSEC0044', 'config_error', /e-mail/i],
    ['WSEC0045', 'config_error', /submission type/i],
    ['WSEC0046', 'config_error', /more achievements/i],
    ['WSEC0047', 'config_error', /no achievement/i],
    ['WCEC0999', 'needs_action', /unknown exception/i],
    ['RC006', 'data_error', /insufficient data to create a ULN/i],
    ['RC011', 'data_error', /incorrect format.*Ability to Share.*age range/i],
    ['RC013', 'data_error', /age range .*13 to 110/i],
  ] as const)('%s is catalogued as %s with advice a person can act on', (code, cls, meaning) => {
    const entry = explainCode(code);
    expect(entry.class).toBe(cls);
    expect(entry.meaning).toMatch(meaning);
    expect(entry.resolution).not.toBe(explainCode('NO_SUCH_CODE').resolution);
    expect(entry.resolution.length).toBeGreaterThan(40);
  });
  it('no error among them is resent unchanged: WSEC0046 says split, WSRC0030 is ours, WSRC0043 is the helpdesk', () => {
    for (const code of ['WSRC0030', 'WSRC0043', 'WSEC0044', 'WSEC0045', 'WSEC0046', 'WSEC0047'])
      expect(workersRetry(code), code).toBe(false);
    expect(explainCode('WSEC0046').resolution).toMatch(/never resend .*unchanged/i);
    expect(explainCode('WSEC0046').resolution).toMatch(/BATCH_LIMIT_ACHIEVEMENT/);
    expect(explainCode('WSRC0043').resolution).toMatch(/helpdesk/i);
  });
  it('advice brought up to date: WSEC0206 after May 2018, WSEC0001 and the prohibited-text list, RC013 and the DOB', () => {
    expect(explainCode('WSEC0206').resolution).toMatch(/May 2018.*privacy notice.*sharing flag/s);
    expect(explainCode('WSEC0001').resolution).toMatch(/prohibited-text list/);
    expect(explainCode('RC013').resolution).toMatch(/date of birth.*service desk/s);
  });
  it('every return code the simulator sends is catalogued, and means there what it means here', () => {
    for (const code of RETURN_CODES) expect(explainCode(code).class, code).not.toBe('unknown');
    expect(RETURN_CODES).not.toContain('RC010');
  });
});

describe('src/codes stands on its own', () => {
  it('imports nothing from src/lrs (the client imports the codes, not the other way round)', () => {
    const dir = fileURLToPath(new URL('../../src/codes', import.meta.url));
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /from '\.\.\/(lrs|workers|requests|batches|support)\//.test(readFileSync(join(dir, f), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});
