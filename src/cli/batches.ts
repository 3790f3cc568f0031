/** `lrs-relay batches`: LRS batch jobs, newest first. */
import { parseArgs } from 'node:util';
import { jsonText, intOption, listOption, printTable, withCliContext, type CliContext } from './kit.ts';
import { listBatches, resolveOrganisations } from '../support/queries.ts';

const USAGE = `Usage: lrs-relay batches [--status S] [--org O] [--limit N] [--json]

Statuses: assembled, submitting, submitted, fetching, completed, failed, cancelled.
See a batch's requests with: lrs-relay requests --batch <id>`;

export async function runBatches(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      status: { type: 'string', multiple: true },
      org: { type: 'string', multiple: true },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.io.out(USAGE);
    return 0;
  }
  const orgs = listOption(values.org);
  const rows = await listBatches(ctx.db, ctx.actor, {
    status: listOption(values.status),
    ...(orgs.length ? { organisationIds: await resolveOrganisations(ctx.db, orgs) } : {}),
    limit: intOption('limit', values.limit, 50),
  });
  if (values.json) {
    ctx.io.out(jsonText(rows));
    return 0;
  }
  printTable(
    ctx.io,
    rows,
    [
      ['ID', (b) => b.id],
      ['ORGANISATION', (b) => b.organisation],
      ['KIND', (b) => (b.jobType ? `${b.kind} ${b.jobType}` : b.kind)],
      ['STATUS', (b) => b.status],
      ['LRS JOB', (b) => b.lrsJobId],
      ['RECORDS', (b) => b.recordCount],
      ['POLLS', (b) => b.polls],
      ['CODE', (b) => b.lastCode],
      ['CREATED', (b) => b.createdAt],
      ['COMPLETED', (b) => b.completedAt],
    ],
    'No batches.',
  );
  return 0;
}

export function run(args: string[]): Promise<number> {
  return withCliContext((ctx) => runBatches(args, ctx));
}
