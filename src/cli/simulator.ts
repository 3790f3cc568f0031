/**
 * `lrs-relay simulator`: run the LRS simulator alone (for MIS teams, demos, benchmarks) until Ctrl-C.
 * Prints the service URLs and, without --orgs, the default organisation's credentials.
 */
import { parseArgs } from 'node:util';
import {
  createSimulator,
  DEFAULT_ORGANISATION,
  readLearnerFile,
  readOrganisationFile,
} from '../simulator/index.ts';
import type { SimulatorOptions } from '../simulator/index.ts';

const HELP = `Usage: lrs-relay simulator [options]

  --port <n>             port to listen on (default 8999; 0 = any free port)
  --host <addr>          interface (default 127.0.0.1)
  --seed <n>             seed for the synthetic learners (default 1)
  --synthetic <n>        number of synthetic learners (default 1000)
  --learners <file>      extra learners from a .csv (header row) or .json file
  --orgs <file>          organisations: JSON list of {"ukprn"|"organisationRef", "password", "operations"}
  --find-window-ms <n>   how long a FUL search licenses a registration (default 600000)
  --batch-done-ms <n>    time until a batch job is done (default 5000; in progress after 1/5 of it)
  --instant-batches      batch jobs are done at once (benchmarks)
  --max-body-bytes <n>   largest request accepted (default 16777216)
  --json                 print one JSON line with the URLs and credentials instead of text

Everything is in memory; see docs/simulator.md.`;

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${v}"`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      synthetic: { type: 'string' },
      learners: { type: 'string' },
      orgs: { type: 'string' },
      'find-window-ms': { type: 'string' },
      'batch-done-ms': { type: 'string' },
      'instant-batches': { type: 'boolean' },
      'max-body-bytes': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const doneMs = int(values['batch-done-ms'], 'batch-done-ms');
  const options: SimulatorOptions = {
    port: int(values.port, 'port') ?? 8999,
    host: values.host ?? '127.0.0.1',
    seed: int(values.seed, 'seed'),
    syntheticLearners: int(values.synthetic, 'synthetic'),
    learners: values.learners ? await readLearnerFile(values.learners) : undefined,
    organisations: values.orgs ? await readOrganisationFile(values.orgs) : undefined,
    findBeforeRegisterWindowMs: int(values['find-window-ms'], 'find-window-ms'),
    batchTiming:
      doneMs === undefined ? undefined : { inProgressAfterMs: Math.floor(doneMs / 5), doneAfterMs: doneMs },
    instantBatches: values['instant-batches'] ?? false,
    maxBodyBytes: int(values['max-body-bytes'], 'max-body-bytes'),
  };
  const sim = createSimulator(options);
  try {
    await sim.listen();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw e;
    const where = `port ${options.port} on ${options.host}`;
    const problem =
      code === 'EADDRINUSE'
        ? `${where} is already in use (another simulator?)`
        : `not allowed to listen on ${where} (ports below 1024 need privileges)`;
    console.error(
      `lrs-relay simulator: ${problem}: choose another with --port, or --port 0 for any free port`,
    );
    return 1;
  }
  const organisation = values.orgs ? undefined : DEFAULT_ORGANISATION;
  if (values.json) {
    console.log(
      JSON.stringify({
        url: sim.url,
        endpoints: sim.endpoints,
        admin: `${sim.url}/__admin/stats`,
        organisation,
      }),
    );
  } else {
    console.log(`LRS simulator listening on ${sim.url}`);
    for (const [name, url] of Object.entries(sim.endpoints)) console.log(`  ${name.padEnd(16)} ${url}`);
    console.log(`  admin            ${sim.url}/__admin/stats (faults, reset, examples)`);
    if (organisation)
      console.log(
        `Default organisation: UKPRN ${organisation.ukprn} (or OrganisationRef ${organisation.organisationRef}), password ${organisation.password}, all operations.`,
      );
    else console.log(`Organisations loaded from ${values.orgs}.`);
    console.log('State is in memory only. Ctrl-C to stop.');
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
  return 0;
}
