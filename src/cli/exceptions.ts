/** `lrs-relay exceptions`: open needs_action and failed requests grouped by code, with what to do. */
import { parseArgs } from 'node:util';
import { terminalLine, jsonText, listOption, withCliContext, type CliContext } from './kit.ts';
import { listExceptions, resolveOrganisations } from '../support/queries.ts';

const USAGE = `Usage: lrs-relay exceptions [--org O] [--json]

Lists requests that need a person (needs_action) or ran out of retries (failed), grouped by code,
with what the code means and what to do. Then: lrs-relay requests --status S --code C to see them,
lrs-relay requests retry --status S --code C to send them back to the queue.`;

export async function runExceptions(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.io.out(USAGE);
    return 0;
  }
  const orgs = listOption(values.org);
  const groups = await listExceptions(
    ctx.db,
    ctx.actor,
    orgs.length ? { organisationIds: await resolveOrganisations(ctx.db, orgs) } : {},
  );
  if (values.json) {
    ctx.io.out(jsonText(groups));
    return 0;
  }
  if (groups.length === 0) {
    ctx.io.out('No requests need action and none have failed.');
    return 0;
  }
  for (const g of groups) {
    ctx.io.out(
      terminalLine`${g.code}  ${g.status}  ${g.count} request(s)${g.organisations > 1 ? ` in ${g.organisations} organisations` : ''}`,
    );
    ctx.io.out(
      terminalLine`  meaning     ${g.meaning ?? '(not in the catalogue: the code is shown as recorded)'}`,
    );
    if (g.resolution) ctx.io.out(terminalLine`  what to do  ${g.resolution}`);
    ctx.io.out(terminalLine`  see them    lrs-relay requests --status ${g.status} --code ${g.code}`);
    ctx.io.out('');
  }
  return 0;
}

export function run(args: string[]): Promise<number> {
  return withCliContext((ctx) => runExceptions(args, ctx));
}
