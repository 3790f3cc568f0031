/**
 * XML reading cost per document, client and simulator side: the SOAP readers every call goes through
 * (client: readSoapBody; simulator: its namespace-resolving reader; parserOnly: src/xml/parse.ts alone).
 * Documents: a captured two-candidate find response (1.7 KB) and the find request our client builds.
 * Runs in this process (no servers); each figure is the median of several timed rounds after a warm-up.
 *
 *   npm run bench -- xml [-- --rounds 15 --iterations 2000]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { buildEnvelope } from '../src/lrs/envelope.ts';
import * as op from '../src/lrs/operations/index.ts';
import { readSoapBody } from '../src/lrs/xml.ts';
import { createXmlReader } from '../src/simulator/xml.ts';
import { parseXml } from '../src/xml/parse.ts';

const FIND_RESPONSE = readFileSync(
  new URL(
    '../test/fixtures/lrs/responses/find-possible-two-candidates-other-prefixes.response.xml',
    import.meta.url,
  ),
  'utf8',
);

/** The request the pipeline sends most: a demographic find, built by the client itself. */
const FIND_REQUEST = buildEnvelope(
  op.learnerByDemographics.spec,
  op.learnerByDemographics.build(
    { ukprn: '10000001', password: 'Simulator-Pass16', userName: 'bench@example.org' },
    {
      familyName: "O'Brien",
      givenName: 'Sample',
      dateOfBirth: '1976-08-16',
      gender: '2',
      lastKnownPostCode: 'CV4 9EE',
    },
  ),
);

/** Median µs per call of `fn` over `rounds` rounds of `iterations` calls each. */
function measure(fn: () => unknown, rounds: number, iterations: number): number {
  for (let i = 0; i < iterations; i++) fn();
  const perCall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    perCall.push(((performance.now() - t0) * 1000) / iterations);
  }
  perCall.sort((a, b) => a - b);
  return Math.round((perCall[Math.floor(rounds / 2)] ?? 0) * 100) / 100;
}

function mustParse<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('bench document did not parse');
  return v;
}

export function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { rounds: { type: 'string' }, iterations: { type: 'string' } },
  });
  const rounds = Number(values.rounds ?? 15);
  const iterations = Number(values.iterations ?? 2000);
  const read = createXmlReader();
  const client = (xml: string) => () => mustParse(readSoapBody(xml));
  const server = (xml: string) => () => {
    const r = read(xml);
    if (!r.ok) throw new Error(r.message);
    return r.root;
  };
  return Promise.resolve({
    benchmark: 'xml',
    microsPerParse: {
      clientFindResponse: measure(client(FIND_RESPONSE), rounds, iterations),
      clientFindRequest: measure(client(FIND_REQUEST), rounds, iterations),
      simulatorFindRequest: measure(server(FIND_REQUEST), rounds, iterations),
      simulatorFindResponse: measure(server(FIND_RESPONSE), rounds, iterations),
      parserOnlyFindResponse: measure(() => parseXml(FIND_RESPONSE), rounds, iterations),
    },
    bytes: { findResponse: Buffer.byteLength(FIND_RESPONSE), findRequest: Buffer.byteLength(FIND_REQUEST) },
    settings: { rounds, iterations, node: process.version, cpus: cpus().length },
  });
}
