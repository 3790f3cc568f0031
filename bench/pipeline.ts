/**
 * Pipeline throughput with an instant LRS: requests/s from the trigger's insert to the outcome row,
 * beside raw BullMQ no-op jobs/s on the same Redis in the same run, p50/p99 trigger-to-outcome
 * latency, and the peak RSS of the relay process.
 *
 *   npm run bench -- pipeline [-- --requests 20000 --concurrency 64]
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { samplePeakRss, startBenchRelay } from './lib/harness.ts';

/** N no-op jobs through one queue and one worker of the same concurrency: the ceiling for our pipeline. */
async function rawBullmq(n: number, concurrency: number): Promise<number> {
  const connection = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const prefix = `{rawbench${randomBytes(3).toString('hex')}}`;
  const queue = new Queue('raw', { connection, prefix });
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const worker = new Worker('raw', async () => 'ok', { connection, prefix, concurrency });
  worker.on('completed', () => {
    if (++done === n) resolveAll();
  });
  const started = performance.now();
  for (let i = 0; i < n; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, n - i) }, (_, j) => ({
        name: 'noop',
        data: { requestId: i + j },
        opts: { jobId: `j-${i + j}`, removeOnComplete: true },
      })),
    );
  }
  await all;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return n / seconds;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { requests: { type: 'string' }, concurrency: { type: 'string' } } });
  const requests = Number(values.requests ?? 20_000);
  const concurrency = Number(values.concurrency ?? 64);

  const rawJobsPerSecond = await rawBullmq(requests, concurrency);
  const bench = await startBenchRelay({ concurrency, latencyMs: 0 });
  try {
    // Warm-up: connections, JIT, the simulator's caches.
    await bench.submit(500);
    await bench.waitTerminal(500);
    const peak = samplePeakRss();
    const started = performance.now();
    await bench.submit(requests);
    await bench.waitTerminal(500 + requests);
    const seconds = (performance.now() - started) / 1000;
    const peakRssMb = peak();
    const { p50Ms, p99Ms } = await bench.latencyPercentiles();
    const requestsPerSecond = requests / seconds;
    return {
      benchmark: 'pipeline',
      requests,
      concurrency,
      seconds: Math.round(seconds * 100) / 100,
      requestsPerSecond: Math.round(requestsPerSecond),
      rawBullmqJobsPerSecond: Math.round(rawJobsPerSecond),
      ratioToRaw: Math.round((requestsPerSecond / rawJobsPerSecond) * 1000) / 1000,
      p50Ms,
      p99Ms,
      peakRssMb,
    };
  } finally {
    await bench.close();
  }
}
