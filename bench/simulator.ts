/**
 * Simulator throughput: learnerByDemographics at a fixed concurrency with zero latency.
 * The simulator runs in its own process (the CLI), so its CPU per call is measured there with
 * process.cpuUsage (read through GET /__admin/stats) and not mixed up with the load generator's.
 *
 *   npm run bench -- simulator [-- --count 20000 --warmup 2000 --concurrency 64]
 */
import { once } from 'node:events';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startSimulatorProcess } from './lib/harness.ts';

interface Demographics {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: string;
  lastKnownPostCode: string;
}

function envelope(d: Demographics): string {
  return (
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:fin="http://api.lrs.miap.gov.uk/findmsg"><soapenv:Body>` +
    `<fin:FindLearnerByDemographics><FindType>FUL</FindType><UKPRN>10000001</UKPRN><OrgPassword>Simulator-Pass16</OrgPassword>` +
    `<UserName>bench@example.org</UserName><FamilyName>${d.familyName}</FamilyName><GivenName>${d.givenName}</GivenName>` +
    `<DateOfBirth>${d.dateOfBirth}</DateOfBirth><Gender>${d.gender}</Gender><LastKnownPostCode>${d.lastKnownPostCode}</LastKnownPostCode>` +
    `<PreviousFamilyName></PreviousFamilyName><SchoolAtAge16></SchoolAtAge16><PlaceOfBirth></PlaceOfBirth><EmailAddress></EmailAddress>` +
    `</fin:FindLearnerByDemographics></soapenv:Body></soapenv:Envelope>`
  );
}

/** Starts `lrs-relay simulator --json` on a free port and returns its URL. */

async function simulatorCpuMicros(pool: Pool): Promise<number> {
  const r = await pool.request({ path: '/__admin/stats', method: 'GET' });
  const s = (await r.body.json()) as { process: { cpuUserMicros: number; cpuSystemMicros: number } };
  return s.process.cpuUserMicros + s.process.cpuSystemMicros;
}

async function examples(pool: Pool): Promise<Demographics[]> {
  const r = await pool.request({ path: '/__admin/examples', method: 'GET' });
  const ex = (await r.body.json()) as Record<string, Demographics>;
  // The captured learners (exact, linked, possible, too many) plus the synthetic examples: a mix of every outcome.
  return [
    {
      givenName: 'Sample',
      familyName: 'Testname',
      dateOfBirth: '1976-08-16',
      gender: '2',
      lastKnownPostCode: 'CV49EE',
    },
    {
      givenName: 'Sample',
      familyName: 'Test',
      dateOfBirth: '1985-03-27',
      gender: '1',
      lastKnownPostCode: 'AB125EQ',
    },
    {
      givenName: 'Abbie',
      familyName: 'Evans',
      dateOfBirth: '1994-02-06',
      gender: '2',
      lastKnownPostCode: 'LU49QZ',
    },
    {
      givenName: 'Everybody',
      familyName: 'Everybody',
      dateOfBirth: '2000-01-01',
      gender: '2',
      lastKnownPostCode: 'CV49EE',
    },
    ...Object.values(ex),
  ];
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      synthetic: { type: 'string' },
    },
  });
  const count = Number(values.count ?? 20_000);
  const warmup = Number(values.warmup ?? 2_000);
  const concurrency = Number(values.concurrency ?? 64);
  const synthetic = Number(values.synthetic ?? 1000);
  const { child, url } = await startSimulatorProcess(['--instant-batches', '--synthetic', String(synthetic)]);
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  try {
    const bodies = (await examples(pool)).map(envelope);
    let errors = 0;
    const latencies: number[] = [];
    const fire = async (n: number, record: boolean) => {
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const i = next++;
          const t = performance.now();
          const r = await pool.request({
            path: '/LearnerService.svc',
            method: 'POST',
            headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
            body: bodies[i % bodies.length],
          });
          const text = await r.body.text();
          if (r.statusCode !== 200 || !text.includes('<ResponseCode>WSRC')) errors++;
          if (record) latencies.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    await fire(warmup, false);
    errors = 0;
    const cpuBefore = await simulatorCpuMicros(pool);
    const benchCpuBefore = process.cpuUsage();
    const t0 = performance.now();
    await fire(count, true);
    const elapsedMs = performance.now() - t0;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const cpuAfter = await simulatorCpuMicros(pool);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0) * 100) /
      100;
    return {
      benchmark: 'simulator',
      operation: 'learnerByDemographics',
      callsPerSecond: Math.round(count / (elapsedMs / 1000)),
      simulatorCpuMsPerCall: Math.round(((cpuAfter - cpuBefore) / 1000 / count) * 1000) / 1000,
      loadGeneratorCpuMsPerCall: Math.round(((benchCpu.user + benchCpu.system) / 1000 / count) * 1000) / 1000,
      latencyMs: { p50: pct(0.5), p99: pct(0.99) },
      errors,
      settings: {
        count,
        warmup,
        concurrency,
        latencyMs: 0,
        syntheticLearners: synthetic,
        requestMix: bodies.length,
        node: process.version,
        cpus: cpus().length,
      },
    };
  } finally {
    await pool.close();
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}
