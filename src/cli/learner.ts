/**
 * `lrs-relay learner <MIS id|ULN>`: every request for one learner, newest first.
 * `lrs-relay learner export <org> <MIS id>`: everything held about the learner, as JSON (subject access).
 * `lrs-relay learner erase <org> <MIS id>`: erase the learner's personal data (erasure request).
 */
import { parseArgs } from 'node:util';
import {
  jsonText,
  terminalJson,
  terminalText,
  intOption,
  listOption,
  printTable,
  withCliContext,
  type CliContext,
} from './kit.ts';
import { getLearnerHistory, resolveOrganisations } from '../support/queries.ts';
import { findOrganisationByRef } from '../db/retention.ts';
import { eraseLearner, exportLearner, LearnerRightsError } from '../requests/retention.ts';

const USAGE = `Usage:
  lrs-relay learner <MIS learner id | ULN> [--org O] [--limit N] [--json]
  lrs-relay learner export <org> <MIS learner id>     everything held about the learner, as JSON
                                                      (for a subject access request)
  lrs-relay learner erase <org> <MIS learner id> [--yes]
                                                      erase the learner's personal data (for an erasure
                                                      request); refused while their work is open
<org> is the organisation's UKPRN, reference or id. Both actions are audited without personal data.
Erasing removes payloads, outcomes' ULNs and details, candidates, learning events, notes and the MIS id
from lrs-relay; requests stay as anonymous rows (codes and statuses) so counts stay right.`;

const SUBCOMMANDS = ['export', 'erase'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

export async function runLearner(args: string[], ctx: CliContext): Promise<number> {
  const sub = args[0];
  if (sub !== undefined && (SUBCOMMANDS as readonly string[]).includes(sub))
    return runLearnerRights(sub as Subcommand, args.slice(1), ctx);
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
    ctx.io.out(jsonText(rows));
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

async function runLearnerRights(sub: Subcommand, args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    ctx.io.out(USAGE);
    return 0;
  }
  const [orgRef, misLearnerId] = positionals;
  if (orgRef === undefined || misLearnerId === undefined || positionals.length > 2) {
    ctx.io.err(`lrs-relay learner ${sub}: give the organisation and the MIS learner id\n${USAGE}`);
    return 2;
  }
  const organisation = await findOrganisationByRef(ctx.db.pool, orgRef);
  if (!organisation) {
    ctx.io.err(
      `lrs-relay learner ${sub}: unknown organisation ${jsonText(orgRef)} (give its UKPRN, reference or id; \`lrs-relay orgs list\` shows them)`,
    );
    return 2;
  }
  try {
    if (sub === 'export') {
      await exportLearner({
        pool: ctx.db.pool,
        actor: ctx.actor,
        organisation,
        misLearnerId,
        write: (piece) => ctx.io.out(terminalJson(piece)),
      });
      return 0;
    }
    if (!values.yes) {
      if (!ctx.io.isInteractive) {
        ctx.io.err(`lrs-relay learner erase: erasing cannot be undone; add --yes to erase without asking`);
        return 2;
      }
      const answer = await ctx.io.ask(
        `Erase everything lrs-relay holds about learner ${terminalJson(JSON.stringify(misLearnerId))} of ${terminalText(organisation.name)}? This cannot be undone. [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        ctx.io.err('Nothing changed.');
        return 1;
      }
    }
    const erased = await eraseLearner({
      pool: ctx.db.pool,
      actor: ctx.actor,
      organisationId: organisation.id,
      misLearnerId,
    });
    ctx.io.out(
      `Erased: ${erased.requests} request(s) anonymised, ${erased.outcomes} outcome(s) cleared, ${erased.learningEvents} learning event(s) deleted, ${erased.candidateLists} other request(s)' candidate lists cleared of them. ` +
        'Erase the learner in the MIS too, or its triggers and the nightly ULN acquisition may send them again.',
    );
    return 0;
  } catch (e) {
    if (!(e instanceof LearnerRightsError)) throw e;
    ctx.io.err(`lrs-relay learner ${sub}: ${e.message} [${e.code}]`);
    return e.code === 'LEARNER_WORK_OPEN' ? 3 : 1;
  }
}

export function run(args: string[]): Promise<number> {
  return withCliContext((ctx) => runLearner(args, ctx));
}
