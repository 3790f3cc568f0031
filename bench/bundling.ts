/**
 * Bundling: single-transaction calls run concurrently against an LRS that takes 200 ms per call.
 * The ideal is concurrency / latency calls per second; we report what the relay achieved against it in
 * the steady state (`callsPerSecond`, `ratioToIdeal`) and over the whole run including ramp-up and tail
 * (`wallCallsPerSecond`).
 *
 *   npm run bench -- bundling [-- --requests 4000 --concurrency 64 --latency 200]
 */
import { parseArgs } from 'node:util';
import { startBenchRelay } from './lib/harness.ts';

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
    await bench.waitAllTerminal();
    const started = performance.now();
    await bench.submit(requests);
    await bench.waitAllTerminal();
    const seconds = (performance.now() - started) / 1000;
    // Steady state: calls completed between the 5th and 95th percentile of completion times, so the
    // ramp-up (first jobs reaching the queue) and the tail (fewer than `concurrency` left) do not count.
    const r = await bench.sql.query(
      `with t as (select created_at from lrs.audit where request_id > $1),
            b as (select percentile_disc(0.05) within group (order by created_at) as lo,
                         percentile_disc(0.95) within group (order by created_at) as hi from t)
       select count(*)::int as n, extract(epoch from (select hi - lo from b))::float8 as s
         from t, b where t.created_at > b.lo and t.created_at <= b.hi`,
      [concurrency],
    );
    const callsPerSecond = (r.rows[0].n as number) / (r.rows[0].s as number);
    const idealCallsPerSecond = concurrency / (latencyMs / 1000);
    return {
      benchmark: 'bundling',
      requests,
      concurrency,
      latencyMs,
      seconds: Math.round(seconds * 100) / 100,
      wallCallsPerSecond: Math.round((requests / seconds) * 10) / 10,
      callsPerSecond: Math.round(callsPerSecond * 10) / 10,
      idealCallsPerSecond,
      ratioToIdeal: Math.round((callsPerSecond / idealCallsPerSecond) * 1000) / 1000,
    };
  } finally {
    await bench.close();
  }
}
