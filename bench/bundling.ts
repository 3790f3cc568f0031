/**
 * Bundling: single-transaction calls run concurrently against an LRS that takes 200 ms per call.
 * The ideal is concurrency / latency calls per second; we report what the relay achieved against it.
 *
 *   npm run bench -- bundling [-- --requests 4000 --concurrency 64 --latency 200]
 */
import { parseArgs } from 'node:util';
import { startBenchRelay } from './harness.ts';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { requests: { type: 'string' }, concurrency: { type: 'string' }, latency: { type: 'string' } },
  });
  const requests = Number(values.requests ?? 4_000);
  const concurrency = Number(values.concurrency ?? 64);
  const latencyMs = Number(values.latency ?? 200);
  const bench = await startBenchRelay({ concurrency, latencyMs });
  try {
    await bench.submit(concurrency);
    await bench.waitTerminal(concurrency);
    const started = performance.now();
    await bench.submit(requests);
    await bench.waitTerminal(concurrency + requests);
    const seconds = (performance.now() - started) / 1000;
    const callsPerSecond = requests / seconds;
    const idealCallsPerSecond = concurrency / (latencyMs / 1000);
    return {
      benchmark: 'bundling',
      requests,
      concurrency,
      latencyMs,
      seconds: Math.round(seconds * 100) / 100,
      callsPerSecond: Math.round(callsPerSecond * 10) / 10,
      idealCallsPerSecond,
      ratioToIdeal: Math.round((callsPerSecond / idealCallsPerSecond) * 1000) / 1000,
    };
  } finally {
    await bench.close();
  }
}
