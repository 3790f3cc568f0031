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

  it('WSEC0999 is an LRS-side error retried with backoff', () => {
    expect(explainCode('WSEC0999')).toMatchObject({ source: 'lrs', class: 'retryable', retry: 'backoff' });
    expect(clientError('WSEC0999', 'lrs')).toMatchObject({
      code: 'WSEC0999',
      codeSource: 'lrs',
      retryable: true,
    });
    expect(classifyFailure({ code: 'WSEC0999' })).toBe('transport');
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
