/**
 * `lrs-relay mis-login`: which organisations each database login of the MIS may act for. Run as the
 * role that owns the lrs schema (the mapping is its to change).
 */
import { parseArgs } from 'node:util';
import { terminalLine, jsonText, listOption, printTable, withCliContext, type CliContext } from './kit.ts';
import { resolveOrganisations } from '../support/queries.ts';
import { grantMisLogin, listMisLogins, MisLoginError, revokeMisLogin } from '../orgs/mis-logins.ts';

const USAGE = `Usage:
  lrs-relay mis-login grant <database role> --org O…
  lrs-relay mis-login revoke <database role> --org O…
  lrs-relay mis-login list [<database role>] [--json]

A database login granted lrs_mis may submit work (lrs.submit_request) and read lrs.learner_status only
for the organisations mapped to it, or to a role it is a member of (--org: id, UKPRN or organisation
reference). A login mapped to none may do neither. The relay's own role, superusers and lrs_support
are not limited. Run as the role that owns the lrs schema (the one \`lrs-relay migrate\` runs as).`;

export async function runMisLogin(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      org: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, roleName, ...extra] = positionals;
  if (values.help || sub === undefined) {
    ctx.io.out(USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) {
    ctx.io.err(USAGE);
    return 2;
  }
  try {
    if (sub === 'list') {
      const rows = await listMisLogins(ctx.db, roleName);
      if (values.json) ctx.io.out(jsonText(rows));
      else
        printTable(
          ctx.io,
          rows,
          [
            ['ROLE', (r) => r.roleName],
            ['ORGANISATION', (r) => r.ukprn ?? r.organisationRef],
            ['NAME', (r) => r.organisationName],
            ['GRANTED BY', (r) => r.grantedBy],
            ['SINCE', (r) => r.createdAt.toISOString()],
            [
              'NOTE',
              (r) => (r.roleExists ? (r.roleCanLogin ? '' : 'group role') : 'no such role: revoke it'),
            ],
          ],
          'No MIS login is mapped yet: MIS logins may act for no organisation. lrs-relay mis-login grant <role> --org <UKPRN>',
        );
      return 0;
    }
    if (sub !== 'grant' && sub !== 'revoke') {
      ctx.io.err(`lrs-relay mis-login: unknown subcommand "${sub}"\n${USAGE}`);
      return 2;
    }
    if (!roleName) {
      ctx.io.err(USAGE);
      return 2;
    }
    const orgRefs = listOption(values.org);
    if (orgRefs.length === 0) throw new MisLoginError(`give the organisations to ${sub} with --org`);
    const organisationIds = await resolveOrganisations(ctx.db, orgRefs);
    if (sub === 'grant') {
      const n = await grantMisLogin(ctx.db, { roleName, organisationIds, grantedBy: ctx.actor.name });
      ctx.io.out(
        terminalLine`Mapped ${roleName} to ${n} more organisation(s) (${organisationIds.length - n} already mapped).`,
      );
    } else {
      const n = await revokeMisLogin(ctx.db, { roleName, organisationIds });
      ctx.io.out(terminalLine`Removed ${n} organisation(s) from ${roleName}.`);
    }
    return 0;
  } catch (e) {
    if (e instanceof MisLoginError || (e instanceof Error && e.message.startsWith('unknown organisation'))) {
      ctx.io.err(terminalLine`lrs-relay mis-login ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

export function run(args: string[]): Promise<number> {
  return withCliContext((ctx) => runMisLogin(args, ctx));
}
