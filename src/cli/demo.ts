/**
 * `lrs-relay demo [--learners 2000] [--json] [--keep]`: the whole product on one machine in under a minute.
 * Progress and setup notes go to stderr, the report (or one JSON object) to stdout.
 */
import { parseArgs } from 'node:util';
import { runDemo } from '../demo/run-demo.ts';
import { ServicesUnavailableError } from '../demo/services.ts';
import { formatReport, type DemoReport } from '../demo/summary.ts';
import { jsonText } from './kit.ts';

const HELP = `Usage: lrs-relay demo [--learners N] [--backend redis|postgres] [--json] [--keep]

Starts Postgres and Redis (when used) if they do not answer (scripts/ensure-services.sh), recreates the database
lrs_relay_demo on the DATABASE_URL server, starts the LRS simulator and every relay role in this
process, creates a sample MIS (db/sample-mis.sql) and enrols N students whose trigger queues the LRS
work, waits until every request has finished, then prints a summary by status and code. First, a
backlog of students enrolled before lrs-relay (5% of N, 20 to 100) goes through the nightly ULN
acquisition in LRS batch jobs, so the Batches page and batch exceptions have something to show.

  --learners N   students to enrol (default 2000)
  --seed N       seed for the generated students (default 1)
  --backend B    where the queues live: redis or postgres (default QUEUE_BACKEND, else redis); with
                 postgres every queue is in Postgres and no Redis connection is opened
  --json         print one JSON object: requests, byStatus, byCode, seconds, registrations, duplicateRegistrations
  --keep         also serve the dashboard, and keep the simulator, relay and dashboard running after
                 the summary until Ctrl-C
  --database N   name of the demo database (default lrs_relay_demo); dropped and recreated

The relay's log goes to a file under tmp/ (personal data redacted), never to the terminal.`;

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      learners: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      database: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const learners = Number(values.learners);
  const seed = Number(values.seed);
  if (!Number.isInteger(learners) || learners < 1 || learners > 1_000_000) {
    console.error('lrs-relay demo: --learners must be a whole number from 1 to 1000000');
    return 2;
  }
  if (!Number.isInteger(seed) || seed < 0) {
    console.error('lrs-relay demo: --seed must be a whole number');
    return 2;
  }
  const backend = values.backend;
  if (backend !== undefined && backend !== 'redis' && backend !== 'postgres') {
    console.error(`lrs-relay demo: --backend must be redis or postgres (got ${jsonText(backend)})`);
    return 2;
  }
  const note = (line: string) => process.stderr.write(`demo: ${line}\n`);
  let report: DemoReport;
  try {
    report = await runDemo({
      learners,
      seed,
      databaseName: values.database,
      backend,
      progress: process.stderr,
      dashboard: values.keep,
      note,
      beforeShutdown: values.keep
        ? async (r) => {
            process.stdout.write(values.json ? `${JSON.stringify(r.summary)}\n` : formatReport(r));
            note('still running (--keep): press Ctrl-C to stop');
            await waitForSignal();
            note('stopping');
          }
        : undefined,
    });
  } catch (e) {
    if (e instanceof ServicesUnavailableError) {
      console.error(`lrs-relay demo: ${e.message}`);
      return 69; // EX_UNAVAILABLE
    }
    throw e;
  }
  if (!values.keep)
    process.stdout.write(values.json ? `${JSON.stringify(report.summary)}\n` : formatReport(report));
  return report.summary.duplicateRegistrations === 0 ? 0 : 1;
}
