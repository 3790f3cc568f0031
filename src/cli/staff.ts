/**
 * `lrs-relay staff`: dashboard accounts. Passwords come from stdin (typed without echo, or piped)
 * or from an environment variable named with --password-env; never from the command line, where
 * they would end up in shell history and the process list.
 */
import { parseArgs } from 'node:util';
import { terminalLine, jsonText, listOption, printTable, withCliContext, type CliContext } from './kit.ts';
import { resolveOrganisations } from '../support/queries.ts';
import {
  addStaff,
  changeStaff,
  grantStaff,
  listStaff,
  revokeStaff,
  setStaffPassword,
  STAFF_CHANGES,
  StaffError,
  type StaffChange,
} from '../support/staff.ts';

const CHANGE_DONE: Record<StaffChange, string> = {
  disable: 'disabled: its sessions ended and it cannot log in',
  enable: 'enabled: it can log in again',
  remove: 'removed: its sessions ended; its audit rows stay',
  demote: 'demoted: no longer an admin, from its next request',
  promote: 'promoted to admin, from its next request',
};
const CHANGE_NOTHING: Record<StaffChange, string> = {
  disable: 'is already disabled',
  enable: 'is not disabled',
  remove: 'could not be removed',
  demote: 'is not an admin',
  promote: 'is already an admin',
};

const USAGE = `Usage:
  lrs-relay staff add <username> [--org O]… [--admin] [--password-env NAME]
  lrs-relay staff list [--json]
  lrs-relay staff grant <username> --org O…
  lrs-relay staff revoke <username> --org O…
  lrs-relay staff passwd <username> [--password-env NAME]   (also ends its sessions)
  lrs-relay staff disable|enable <username>    (a leaver: sessions end, login refused; enable undoes it)
  lrs-relay staff remove <username>            (deletes the account; its audit rows stay)
  lrs-relay staff demote|promote <username>    (takes admin away, or gives it)

Staff see only the organisations granted to them (--org: id, UKPRN or organisation reference).
Admins see every organisation, but learners' personal data only of organisations granted to them.
The password is read from stdin (typed twice without echo, or the first line of piped input), or
from the environment variable named by --password-env. At least 12 characters.`;

/** Reads the new password: from a named environment variable, or stdin. */
async function readPassword(
  ctx: CliContext,
  envName: string | undefined,
  env: Record<string, string | undefined>,
): Promise<string> {
  if (envName !== undefined) {
    const v = env[envName];
    if (v === undefined || v === '') throw new StaffError(`environment variable ${envName} is not set`);
    return v;
  }
  const first = await ctx.io.readSecret('Password: ');
  if (ctx.io.isInteractive) {
    const second = await ctx.io.readSecret('Same password again: ');
    if (first !== second) throw new StaffError('the two passwords differ');
  }
  return first;
}

export async function runStaff(
  args: string[],
  ctx: CliContext,
  env: Record<string, string | undefined> = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      org: { type: 'string', multiple: true },
      admin: { type: 'boolean' },
      'password-env': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, username, ...extra] = positionals;
  if (values.help || sub === undefined) {
    ctx.io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const orgRefs = listOption(values.org);
  try {
    if (sub === 'list') {
      const rows = await listStaff(ctx.db);
      if (values.json) ctx.io.out(jsonText(rows));
      else
        printTable(
          ctx.io,
          rows,
          [
            ['USERNAME', (r) => r.username],
            ['ADMIN', (r) => (r.isAdmin ? 'yes' : '')],
            ['ORGANISATIONS', (r) => r.organisations.join('; ')],
            ['DISABLED', (r) => r.disabledAt],
            ['FAILED LOGINS', (r) => r.failedLogins],
          ],
          'No staff accounts yet: lrs-relay staff add <username> --org <UKPRN>',
        );
      return 0;
    }
    if (!username || extra.length > 0) {
      ctx.io.err(USAGE);
      return 2;
    }
    const organisationIds = await resolveOrganisations(ctx.db, orgRefs);
    if (sub === 'add') {
      if (organisationIds.length === 0 && !values.admin)
        ctx.io.err('note: no --org given; this account will see nothing until granted one');
      const password = await readPassword(ctx, values['password-env'], env);
      await addStaff(ctx.db, { username, password, isAdmin: values.admin ?? false, organisationIds });
      ctx.io.out(terminalLine`Staff account ${username} created${values.admin ? ' (admin)' : ''}.`);
      return 0;
    }
    if (sub === 'grant' || sub === 'revoke') {
      if (organisationIds.length === 0) throw new StaffError(`give the organisations to ${sub} with --org`);
      const n =
        sub === 'grant'
          ? await grantStaff(ctx.db, username, organisationIds)
          : await revokeStaff(ctx.db, username, organisationIds);
      ctx.io.out(
        terminalLine`${sub === 'grant' ? 'Granted' : 'Revoked'} ${n} organisation(s) ${sub === 'grant' ? 'to' : 'from'} ${username}.`,
      );
      return 0;
    }
    if ((STAFF_CHANGES as readonly string[]).includes(sub)) {
      const change = sub as StaffChange;
      const changed = await changeStaff(ctx.db, { username, change, actorName: ctx.actor.name });
      ctx.io.out(
        changed
          ? terminalLine`Staff account ${username} ${CHANGE_DONE[change]}.`
          : terminalLine`Nothing changed: ${username} ${CHANGE_NOTHING[change]}.`,
      );
      return 0;
    }
    if (sub === 'passwd') {
      await setStaffPassword(ctx.db, username, await readPassword(ctx, values['password-env'], env));
      ctx.io.out(terminalLine`Password of ${username} changed; its sessions ended.`);
      return 0;
    }
  } catch (e) {
    if (e instanceof StaffError) {
      ctx.io.err(`lrs-relay staff ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  ctx.io.err(`lrs-relay staff: unknown subcommand "${sub}"\n${USAGE}`);
  return 2;
}

export function run(args: string[]): Promise<number> {
  // A CLI input, not configuration: the operator names the variable that holds the password.
  return withCliContext((ctx) => runStaff(args, ctx, process.env));
}
