/**
 * Pipeline throughput with an instant LRS: requests/s from the trigger's insert to the outcome row,
 * beside raw BullMQ no-op jobs/s on the same Redis in the same run, p50/p99 trigger-to-outcome
 * latency (of the burst, and of a steady trickle well below capacity), the peak RSS of the relay
 * process, and CPU ms per request by component (relay, simulator, Postgres, Redis) for both runs: on a
 * small machine they share the cores, and cores ÷ total CPU per request is the ceiling
 * (`cpuBoundRequestsPerSecond`). Two more runs of the raw jobs are the floors under the relay's CPU: each
 * job making the LRS call a request makes and nothing else (`rawWithLrsCallCpuMsPerJob`), and each making
 * only that call's HTTP exchange (`rawWithHttpPostCpuMsPerJob`).
 *
 *   npm run bench -- pipeline [-- --requests 20000 --concurrency 64 --steady-rate 200 --steady-seconds 5]
 *                             [--backend redis|postgres]
 *
 * `--backend postgres` runs the relay and the raw no-op run on BullMQ's Postgres backend (no Redis);
 * Postgres CPU then includes the queue's work, and `redis` CPU is near zero.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { QUEUE_BACKENDS, type QueueBackendKind } from '../src/queues/catalogue.ts';
import { POSTGRES_PIDS_SQL, startCpuWindow, type PostgresProcess } from './lib/cpu.ts';
import { Agent, request } from 'undici';
import { createLrsClient } from '../src/lrs/client.ts';
import { buildEnvelope, buildHeaders } from '../src/lrs/envelope.ts';
import * as op from '../src/lrs/operations/index.ts';
import { endpointsAt } from '../src/lrs/endpoints.ts';
import {
  BENCH_PASSWORD,
  startSimulatorProcess,
  createBenchDatabase,
  createBenchQueueConnection,
  samplePeakRss,
  startBenchRelay,
  type BenchRelay,
} from './lib/harness.ts';

/**
 * N no-op jobs through one queue and one worker of the same concurrency, on the same queue store as
 * the relay: the ceiling for our pipeline. With `work`, each job does that instead of nothing (and the
 * simulator's CPU is counted when its process is given).
 */
async function rawBullmq(
  n: number,
  concurrency: number,
  backend: QueueBackendKind,
  work?: { run(i: number): Promise<unknown>; simulatorPid?: number | undefined },
): Promise<{ jobsPerSecond: number; cpu: Record<string, unknown> | undefined }> {
  const db = await createBenchDatabase(backend);
  const connection = createBenchQueueConnection(backend, db.url);
  const queue = connection.createQueue('raw');
  let done = 0;
  let resolveAll!: () => void;
  let rejectAll!: (e: Error) => void;
  const all = new Promise<void>((resolve, reject) => {
    resolveAll = resolve;
    rejectAll = reject;
  });
  const worker = connection.createWorker(
    'raw',
    async (job) => (work ? work.run((job.data as { requestId: number }).requestId) : 'ok'),
    { concurrency },
  );
  worker.on('completed', () => {
    if (++done === n) resolveAll();
  });
  worker.on('failed', (_job, e) => rejectAll(e));
  const cpu = startCpuWindow(work?.simulatorPid);
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
  const cpuUse = cpu.stop(n, backend === 'postgres' ? await postgresPids(db.url) : []);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.close();
  await db.drop();
  return { jobsPerSecond: n / seconds, cpu: cpuUse };
}

/** What each job of a floor run does: the LRS call through our client, or only its HTTP exchange. */
type FloorCall = 'client' | 'http';

/**
 * The floors under the relay's CPU per request: the raw no-op run again, each job making the one LRS call
 * a find_by_demographics request makes, against the simulator, with no Postgres. `client`: through our
 * client (validate, build, send over HTTP, read the answer); what the relay spends above this is its own
 * bookkeeping. `http`: the HTTP exchange alone (undici posting the same envelope, built once, and reading
 * the answer as text), which any LRS client has to make.
 */
async function rawWithLrsCall(
  n: number,
  concurrency: number,
  backend: QueueBackendKind,
  how: FloorCall,
): Promise<{ jobsPerSecond: number; cpu: Record<string, unknown> | undefined }> {
  const simulator = await startSimulatorProcess(['--synthetic', '2000']);
  const endpoints = endpointsAt(simulator.url);
  const lrs = createLrsClient({ endpoints, allowInsecureHttp: true });
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const identity = { ukprn: '10000001', password: BENCH_PASSWORD, userName: 'bench' };
  const learner = (i: number) => ({
    givenName: 'Bench',
    familyName: `Learner${i}`,
    dateOfBirth: '2001-02-03',
    gender: '1' as const,
    lastKnownPostCode: 'CV4 9EE',
  });
  const { spec, build } = op.learnerByDemographics;
  const envelope = buildEnvelope(spec, build(identity, learner(0)));
  const headers = buildHeaders(spec);
  const post = async () => {
    const res = await request(endpoints[spec.service], {
      method: 'POST',
      headers,
      body: envelope,
      dispatcher: agent,
    });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`the simulator answered HTTP ${res.statusCode}`);
  };
  try {
    return await rawBullmq(n, concurrency, backend, {
      simulatorPid: simulator.child.pid,
      run: how === 'client' ? (i) => lrs.learnerByDemographics(identity, learner(i)) : post,
    });
  } finally {
    await lrs.close();
    await agent.close();
    await simulator.stop();
  }
}

/** The server processes serving one database (their CPU is the queue's work on the Postgres backend). */
async function postgresPids(url: string): Promise<PostgresProcess[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(POSTGRES_PIDS_SQL)).rows as PostgresProcess[];
  } finally {
    await c.end();
  }
}

/**
 * Trigger-to-outcome latency when requests arrive at a steady rate well below capacity (what an MIS
 * user waits for an answer), rather than behind a burst of thousands: small inserts every 50 ms.
 */
async function steadyLoad(
  bench: BenchRelay,
  perSecond: number,
  seconds: number,
): Promise<Record<string, number>> {
  const since = await bench.lastRequestId();
  const tickMs = 50;
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
    if (due > sent) {
      await bench.submit(due - sent);
      sent = due;
    }
    await sleep(tickMs);
  }
  await bench.waitAllTerminal();
  const { p50Ms, p99Ms, requests } = await bench.latencyPercentiles(since);
  return { offeredPerSecond: perSecond, requests, p50Ms, p99Ms };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      'steady-rate': { type: 'string' },
      'steady-seconds': { type: 'string' },
      backend: { type: 'string', default: 'redis' },
    },
  });
  const backend = values.backend as QueueBackendKind;
  if (!(QUEUE_BACKENDS as readonly string[]).includes(backend))
    throw new Error(`--backend must be redis or postgres (got ${JSON.stringify(values.backend)})`);
  const requests = Number(values.requests ?? 20_000);
  const concurrency = Number(values.concurrency ?? 64);
  const steadyRate = Number(values['steady-rate'] ?? 200);
  const steadySeconds = Number(values['steady-seconds'] ?? 5);

  const raw = await rawBullmq(requests, concurrency, backend);
  const rawJobsPerSecond = raw.jobsPerSecond;
  const floor = await rawWithLrsCall(requests, concurrency, backend, 'client');
  const httpFloor = await rawWithLrsCall(requests, concurrency, backend, 'http');
  const bench = await startBenchRelay({ concurrency, latencyMs: 0, backend });
  try {
    // Warm-up: connections, JIT, the simulator's caches.
    await bench.submit(500);
    await bench.waitAllTerminal();
    const afterWarmUp = await bench.lastRequestId();
    const peak = samplePeakRss();
    const cpu = startCpuWindow(bench.simulator.child.pid);
    const started = performance.now();
    await bench.submit(requests);
    await bench.waitAllTerminal();
    const seconds = (performance.now() - started) / 1000;
    const pids = (await bench.sql.query(POSTGRES_PIDS_SQL)).rows as PostgresProcess[];
    const cpuUse = cpu.stop(requests, pids);
    const peakRssMb = peak();
    // The burst's latencies are mostly time spent waiting behind the rest of the burst.
    const { p50Ms, p99Ms } = await bench.latencyPercentiles(afterWarmUp);
    const requestsPerSecond = requests / seconds;
    const steady = await steadyLoad(bench, steadyRate, steadySeconds);
    return {
      benchmark: 'pipeline',
      backend,
      requests,
      concurrency,
      seconds: Math.round(seconds * 100) / 100,
      requestsPerSecond: Math.round(requestsPerSecond),
      rawBullmqJobsPerSecond: Math.round(rawJobsPerSecond),
      ratioToRaw: Math.round((requestsPerSecond / rawJobsPerSecond) * 1000) / 1000,
      p50Ms,
      p99Ms,
      steady,
      peakRssMb,
      ...(cpuUse ?? {}),
      // The same accounting for the raw run (relay = the BullMQ worker in this process).
      ...(raw.cpu ? { rawCpuMsPerJob: raw.cpu['cpuMsPerRequest'] } : {}),
      // The raw run with each job making its LRS call (no Postgres): the floor under relay CPU per request.
      rawWithLrsCallJobsPerSecond: Math.round(floor.jobsPerSecond),
      ...(floor.cpu ? { rawWithLrsCallCpuMsPerJob: floor.cpu['cpuMsPerRequest'] } : {}),
      // The raw run with each job making only the call's HTTP exchange: what no LRS client can avoid.
      rawWithHttpPostJobsPerSecond: Math.round(httpFloor.jobsPerSecond),
      ...(httpFloor.cpu ? { rawWithHttpPostCpuMsPerJob: httpFloor.cpu['cpuMsPerRequest'] } : {}),
    };
  } finally {
    await bench.close();
  }
}
