/**
 * Issue 12.6: XML must not amplify memory. A hostile body at the size cap (the client's largest answer, the
 * simulator's largest request) is read in a child process, which reports its peak RSS. Before the node
 * budget, 8 MB of empty elements took the client to 378 MB and 16 MB took the simulator to 1.1 GB.
 * Also: an answer with more records than the LRS can send is refused, while the largest real ones still read.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LrsError } from '../../../src/lrs/errors.ts';
import * as op from '../../../src/lrs/operations/index.ts';
import { MAX_RESPONSE_BYTES, readLrsAnswer } from '../../../src/lrs/response.ts';
import { createSimulator } from '../../../src/simulator/index.ts';
import { DEFAULTS } from '../../../src/simulator/options.ts';
import { countXmlNodes, parseXml } from '../../../src/xml/parse.ts';
import { XmlError } from '../../../src/xml/xml-error.ts';

const run = promisify(execFile);
const script = new URL('../../fixtures/xml/parse-hostile.ts', import.meta.url).pathname;

/** Peak RSS bounds, MB: a bare `node --import tsx` child is about 60 MB, the body itself costs 2-3× its size. */
const CLIENT_BOUND_MB = 200;
const SIMULATOR_BOUND_MB = 250;

async function hostile(side: 'client' | 'simulator', shape: string, bytes: number) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, side, shape, String(bytes)], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as { bytes: number; outcome: string; maxRssKb: number };
}

describe('hostile bodies at the cap stay within a bounded peak RSS', () => {
  it('the caps are the ones stated: 8 MiB per answer, 16 MiB per simulator request', () => {
    expect(MAX_RESPONSE_BYTES).toBe(8 * 1024 * 1024);
    expect(DEFAULTS.maxBodyBytes).toBe(16 * 1024 * 1024);
  });

  for (const shape of ['elements', 'attributes', 'text']) {
    it(`client: ${shape}, ${MAX_RESPONSE_BYTES} bytes → MALFORMED_RESPONSE under ${CLIENT_BOUND_MB} MB`, async () => {
      const r = await hostile('client', shape, MAX_RESPONSE_BYTES);
      expect(r.bytes).toBeGreaterThan(MAX_RESPONSE_BYTES * 0.99);
      expect(r.outcome).toMatch(/^refused: MALFORMED_RESPONSE .*more than 250000 nodes/);
      expect(r.maxRssKb / 1024).toBeLessThan(CLIENT_BOUND_MB);
    }, 60_000);

    it(`simulator: ${shape}, ${DEFAULTS.maxBodyBytes} bytes → refused under ${SIMULATOR_BOUND_MB} MB`, async () => {
      const r = await hostile('simulator', shape, DEFAULTS.maxBodyBytes);
      expect(r.bytes).toBeGreaterThan(DEFAULTS.maxBodyBytes * 0.99);
      expect(r.outcome).toMatch(/^refused: .*more than 500000 nodes/);
      expect(r.maxRssKb / 1024).toBeLessThan(SIMULATOR_BOUND_MB);
    }, 60_000);
  }
});

describe('the node budget', () => {
  it('counts elements, attributes and text pieces, and refuses one over with a size error', () => {
    const doc = '<r a="1"><b>t</b><!-- --><c/>u</r>';
    expect(countXmlNodes(doc)).toBe(6);
    expect(() => parseXml(doc, { maxNodes: 6 })).not.toThrow();
    expect(() => parseXml(doc, { maxNodes: 5 })).toThrow(XmlError);
    try {
      parseXml(doc, { maxNodes: 5 });
    } catch (e) {
      expect((e as XmlError).kind).toBe('size');
      expect((e as XmlError).reason).toBe(
        'The document has more than 5 nodes (elements, attributes and text pieces).',
      );
    }
  });
});

describe('the simulator', () => {
  it('answers 413 naming the node budget to a request of too many elements, before any organisation check', async () => {
    const sim = await createSimulator({ port: 0, host: '127.0.0.1' }).listen();
    try {
      const res = await fetch(sim.endpoints.learnerService, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${'<a/>'.repeat(600_000)}</s:Body></s:Envelope>`,
      });
      expect(res.status).toBe(413);
      expect(await res.text()).toMatch(/^Request refused: The document has more than 500000 nodes/);
      expect(sim.admin.stats().calls).toEqual({});
    } finally {
      await sim.close();
    }
  });
});

const load = (name: string) =>
  readFileSync(new URL(`../../fixtures/lrs/responses/${name}`, import.meta.url), 'utf8');

/** A fixture whose records (between `open` and `close`) are replaced by `n` copies of its first one. */
function repeated(name: string, open: string, close: string, n: number): string {
  const xml = load(name);
  const start = xml.indexOf(open);
  const first = xml.indexOf(close, start) + close.length;
  const last = xml.lastIndexOf(close) + close.length;
  return xml.slice(0, start) + xml.slice(start, first).repeat(n) + xml.slice(last);
}

function refusal(fn: () => unknown): LrsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LrsError) return e;
    throw e;
  }
  throw new Error('expected an LrsError');
}

describe('answers with more records than the LRS can send', () => {
  const find = (n: number) =>
    op.learnerByDemographics.parse(
      readLrsAnswer({
        status: 200,
        body: repeated('find-possible-one-candidate.response.xml', '<Learner>', '</Learner>', n),
      }),
    );

  it('10 candidates are read, 11 or 20,000 are refused as MALFORMED_RESPONSE', () => {
    const ten = find(10);
    expect(ten.outcome === 'possible' && ten.candidates).toHaveLength(10);
    const e = refusal(() => find(11));
    expect(e.code).toBe('MALFORMED_RESPONSE');
    expect(e.message).toBe('response refused: 11 learners, more than the 10 the LRS can send');
    // 20,000 candidates (as once stored) run out of the node budget before they are even counted.
    expect(refusal(() => find(20_000)).code).toBe('MALFORMED_RESPONSE');
  });

  it('a registration batch output of 201 rows is refused; 200 are read', () => {
    const output = (n: number) =>
      op.getBatchRegistrationOutput.parse(
        readLrsAnswer({
          status: 200,
          body: repeated('batch-output-complete.response.xml', '<Learner>', '</Learner>', n),
        }),
      );
    expect(output(200).learners).toHaveLength(200);
    expect(refusal(() => output(201)).message).toMatch(/201 rows, more than the 200/);
  });

  it('a verify batch output of 5,000 rows (the largest real answer) is read; 5,001 are refused', () => {
    const output = (n: number) =>
      op.getVerifyBatchOutput.parse(
        readLrsAnswer({
          status: 200,
          body: repeated('verify-batch-output.response.xml', '<VerifiedLearner>', '</VerifiedLearner>', n),
        }),
      );
    expect(output(5000).learners).toHaveLength(5000);
    expect(refusal(() => output(5001)).message).toMatch(/5001 rows, more than the 5000/);
  });
});
