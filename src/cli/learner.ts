/** `lrs-relay learner <MIS id|ULN>`: every request for one learner, newest first. */
import { parseArgs } from 'node:util';
import { intOption, listOption, printTable, withCliContext, type CliContext } from './kit.ts';
import { getLearnerHistory, resolveOrganisations } from '../support/queries.ts';

export const summary = "a learner's request history, by MIS learner id or ULN";

const USAGE = `Usage: lrs-relay learner <MIS learner id | ULN> [--org O] [--limit N] [--json]`;

export async function runLearner(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
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
  const key = positionals[0];
  if (!key || positionals.length > 1) {
    ctx.io.err(USAGE);
    return 2;
  }
  const orgs = listOption(values.org);
  const rows = await getLearnerHistory(ctx.db, ctx.actor, key, {
    ...(orgs.length ? { organisationIds: await resolveOrganisations(ctx.db, orgs) } : {}),
    limit: intOption('limit', values.limit, 200),
  });
  if (values.json) {
    ctx.io.out(JSON.stringify(rows));
    return 0;
  }
  printTable(
    ctx.io,
    rows,
    [
      ['ID', (r) => r.id],
      ['ORGANISATION', (r) => r.organisation],
      ['MIS ID', (r) => r.misLearnerId],
      ['KIND', (r) => r.kind],
      ['STATUS', (r) => r.status],
      ['CODE', (r) => r.code],
      ['ULN', (r) => r.uln],
      ['CREATED', (r) => r.createdAt],
      ['COMPLETED', (r) => r.completedAt],
    ],
    `No requests for learner ${key}.`,
  );
  return rows.length === 0 ? 1 : 0;
}

export function run(args: string[]): Promise<number> {
  return withCliContext((ctx) => runLearner(args, ctx));
}
