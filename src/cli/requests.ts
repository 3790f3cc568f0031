/**
 * `lrs-relay requests`: list, show, retry and cancel requests. Retry and cancel take ids, or a filter
 * with a confirmation naming the count (`--yes` for scripts).
 */
import { parseArgs } from 'node:util';
import {
  cancelRequests,
  resolvePossibleMatch,
  retryRequests,
  SupportActionError,
  type ActionResult,
} from '../support/actions.ts';
import { compareCandidates, readCandidates } from '../support/match.ts';
import { LRS_TEXT_HIDDEN } from '../support/access.ts';
import { explainCode } from '../codes/table.ts';
import {
  terminalLine,
  jsonText,
  intOption,
  listOption,
  printTable,
  withCliContext,
  type CliContext,
} from './kit.ts';
import {
  findRequestIds,
  getRequestDetail,
  listRequests,
  resolveOrganisations,
  type RequestFilter,
} from '../support/queries.ts';

const USAGE = `Usage:
  lrs-relay requests [--status S] [--code C] [--org O] [--kind K] [--batch N] [--limit N] [--json]
  lrs-relay requests show <id> [--json]
  lrs-relay requests retry <id…> [--json]
  lrs-relay requests retry --status S [--code C] [--org O] [--kind K] [--yes] [--json]
  lrs-relay requests cancel <id…> | --status S … [--yes] [--json]
  lrs-relay requests resolve <id> --candidate K [--note "why"] [--yes] [--json]
  lrs-relay requests resolve <id> --none "why none is the learner" [--yes] [--json]

Options may repeat or take comma-separated values (--status failed,needs_action).
--org takes an organisation id, UKPRN or organisation reference.
Retry sends needs_action, failed, rejected and cancelled requests back to the queue.
Cancel stops pending, queued, in_progress, batched, held and needs_action requests.
By filter, you are shown the count and asked to confirm; --yes confirms in scripts.
Resolve settles a possible match as the dashboard does: --candidate K chooses the K-th candidate that
\`requests show\` lists (or its ULN), and the request succeeds with that ULN; --none keeps it needing
action with your note. Both ask first (--yes for scripts).`;

const OPTIONS = {
  status: { type: 'string', multiple: true },
  code: { type: 'string', multiple: true },
  org: { type: 'string', multiple: true },
  kind: { type: 'string', multiple: true },
  batch: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  candidate: { type: 'string' },
  none: { type: 'string' },
  note: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function readFilter(ctx: CliContext, v: Values): Promise<RequestFilter> {
  const f: RequestFilter = {};
  const status = listOption(v.status);
  const code = listOption(v.code);
  const kind = listOption(v.kind);
  const orgs = listOption(v.org);
  if (status.length) f.status = status;
  if (code.length) f.code = code;
  if (kind.length) f.kind = kind;
  if (orgs.length) f.organisationIds = await resolveOrganisations(ctx.db, orgs);
  if (v.batch !== undefined) f.batchId = intOption('batch', v.batch, 0);
  return f;
}

function describeFilter(v: Values): string {
  const parts = (['status', 'code', 'org', 'kind'] as const).flatMap((k) =>
    listOption(v[k]).length ? [`${k} ${listOption(v[k]).join(',')}`] : [],
  );
  return parts.join(', ');
}

async function listCommand(ctx: CliContext, v: Values): Promise<number> {
  const rows = await listRequests(ctx.db, ctx.actor, {
    ...(await readFilter(ctx, v)),
    limit: intOption('limit', v.limit, 50),
  });
  if (v.json) {
    ctx.io.out(jsonText(rows));
    return 0;
  }
  printTable(
    ctx.io,
    rows,
    [
      ['ID', (r) => r.id],
      ['ORGANISATION', (r) => r.organisation],
      ['KIND', (r) => r.kind],
      ['MIS ID', (r) => r.misLearnerId],
      ['STATUS', (r) => r.status],
      ['CODE', (r) => r.code],
      ['ATTEMPTS', (r) => r.attempts],
      ['UPDATED', (r) => r.updatedAt],
    ],
    'No requests match.',
  );
  return 0;
}

async function showCommand(ctx: CliContext, v: Values, ids: string[]): Promise<number> {
  if (ids.length !== 1) {
    ctx.io.err('lrs-relay requests show: give exactly one request id');
    return 2;
  }
  const d = await getRequestDetail(ctx.db, ctx.actor, Number(ids[0]));
  if (!d) {
    ctx.io.err(`lrs-relay requests show: no request ${ids[0]}`);
    return 1;
  }
  if (v.json) {
    ctx.io.out(jsonText(d));
    return 0;
  }
  const r = d.request;
  const { io } = ctx;
  io.out(terminalLine`Request ${r.id}  ${r.organisation}  ${r.kind} (${r.mode})`);
  io.out(terminalLine`  status      ${r.status}${r.completedAt ? ` at ${r.completedAt.toISOString()}` : ''}`);
  io.out(
    terminalLine`  MIS learner ${r.misLearnerId ?? ''}   requested by ${r.requestedBy}   attempts ${r.attempts}`,
  );
  if (r.batchId) io.out(terminalLine`  batch       ${r.batchId}`);
  if (r.lastError) io.out(terminalLine`  last error  ${r.lastError}`);
  if (r.lastErrorHidden) io.out(terminalLine`  last error  ${LRS_TEXT_HIDDEN}`);
  if (r.staffNote) io.out(terminalLine`  staff note  ${r.staffNote}`);
  if (d.code) {
    io.out(
      terminalLine`  code        ${d.code.code}${d.code.meaning ? ` — ${d.code.meaning}` : ' (not in the catalogue)'}`,
    );
    if (d.code.resolution) io.out(terminalLine`  what to do  ${d.code.resolution}`);
  }
  if (d.outcome) {
    const o = d.outcome;
    io.out(
      terminalLine`Outcome: ${o.code} (${o.codeSource}, ${o.class})${o.uln ? `  ULN ${o.uln}` : ''}${o.masterUln ? `  master ULN ${o.masterUln}` : ''}`,
    );
    if (o.description) io.out(terminalLine`  ${o.description}`);
    if (o.descriptionHidden) io.out(terminalLine`  ${explainCode(o.code).meaning} ${LRS_TEXT_HIDDEN}`);
    if (o.failureFlags?.length) io.out(terminalLine`  failure flags: ${o.failureFlags.join(', ')}`);
    if (Array.isArray(o.candidates)) printCandidates(ctx, r.id, r.status, r.payload, o.candidates);
    if (o.problems) io.out(terminalLine`  problems: ${JSON.stringify(o.problems)}`);
  }
  io.out('Attempts and audit:');
  printTable(
    io,
    d.audit,
    [
      ['WHEN', (a) => a.createdAt],
      ['OPERATION', (a) => a.operation],
      ['ATTEMPT', (a) => a.attempt],
      ['CODE', (a) => a.code],
      ['SOURCE', (a) => a.codeSource],
      ['HTTP', (a) => a.httpStatus],
      ['MS', (a) => a.durationMs],
      ['USER', (a) => a.userName],
    ],
    '  (no calls recorded)',
  );
  return 0;
}

/**
 * The possible-match comparison as `requests show` prints it: one column per candidate, numbered as
 * `requests resolve --candidate` takes them, with `*` beside a value that differs from the learner's.
 */
function printCandidates(
  ctx: CliContext,
  id: number,
  status: string,
  payload: unknown,
  stored: unknown[],
): void {
  const { io } = ctx;
  const candidates = readCandidates(stored);
  io.out(terminalLine`  ${stored.length} candidate learner(s):`);
  const rows = compareCandidates(
    typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {},
    candidates,
  );
  printTable(
    io,
    rows,
    [
      ['FIELD', (m) => m.label],
      ['LEARNER', (m) => m.learner],
      ...candidates.map(
        (_, i) =>
          [
            `CANDIDATE ${i + 1}`,
            (m: (typeof rows)[number]) => {
              const cell = m.candidates[i];
              return cell ? `${cell.value}${cell.isDifferent ? ' *' : ''}` : '';
            },
          ] as const,
      ),
    ],
    '  (the candidates hold no details to compare)',
  );
  if (status === 'needs_action')
    io.out(
      terminalLine`  * differs from the learner. Choose one: lrs-relay requests resolve ${id} --candidate N, or none: --none "why"`,
    );
}

async function resolveCommand(ctx: CliContext, v: Values, ids: string[]): Promise<number> {
  const { io } = ctx;
  const id = ids.length === 1 ? Number(ids[0]) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    io.err('lrs-relay requests resolve: give exactly one request id');
    return 2;
  }
  if ((v.candidate === undefined) === (v.none === undefined)) {
    io.err(
      'lrs-relay requests resolve: give either --candidate K (a number from `requests show`) or --none "why"',
    );
    return 2;
  }
  const d = await getRequestDetail(ctx.db, ctx.actor, id);
  if (!d || !d.personalData) {
    io.err(`lrs-relay requests resolve: no request ${id} whose candidates you may see`);
    return 1;
  }
  const candidates = readCandidates(d.outcome?.candidates);
  let uln: string | null = null;
  if (v.candidate !== undefined) {
    const k = v.candidate.trim();
    const byNumber = /^\d{1,3}$/.test(k) ? candidates[Number(k) - 1] : undefined;
    const chosen = byNumber ?? candidates.find((c) => c.uln === k);
    if (!chosen) {
      io.err(
        terminalLine`lrs-relay requests resolve: request ${id} has no candidate ${k} (it has ${candidates.length}; give 1–${candidates.length} or a candidate's ULN)`,
      );
      return 2;
    }
    uln = chosen.uln as string;
  }
  const note = v.none ?? v.note ?? '';
  if (!v.yes) {
    const what =
      uln === null
        ? `Reject all ${candidates.length} candidate(s) of request ${id}; it keeps needing action with your note`
        : `Record ULN ${uln} for request ${id}; the request succeeds and the MIS is told`;
    if (!io.isInteractive) {
      io.err(terminalLine`lrs-relay requests resolve: ${what}. Add --yes to do it without asking.`);
      return 2;
    }
    const answer = await io.ask(terminalLine`${what}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.err('Nothing changed.');
      return 1;
    }
  }
  try {
    const r = await resolvePossibleMatch(ctx.db, id, uln, ctx.actor, note);
    if (v.json) io.out(jsonText(r));
    else if (r.outcome === 'matched')
      io.out(terminalLine`Request ${id}: ULN ${r.uln} recorded; the request succeeded.`);
    else
      io.out(terminalLine`Request ${id}: every candidate rejected; it still needs action, with your note.`);
    return 0;
  } catch (e) {
    if (!(e instanceof SupportActionError)) throw e;
    io.err(terminalLine`lrs-relay requests resolve: ${e.message}`);
    return 1;
  }
}

async function actionCommand(
  ctx: CliContext,
  v: Values,
  action: 'retry' | 'cancel',
  positionals: string[],
): Promise<number> {
  const { io } = ctx;
  let ids: number[];
  if (positionals.length > 0) {
    ids = positionals.map(Number);
    const bad = positionals.filter((p, i) => !Number.isSafeInteger(ids[i]) || ids[i]! <= 0);
    if (bad.length) {
      io.err(`lrs-relay requests ${action}: not request ids: ${bad.join(', ')}`);
      return 2;
    }
  } else {
    const filter = await readFilter(ctx, v);
    if (!filter.status && !filter.code && !filter.kind && !filter.organisationIds && !filter.batchId) {
      io.err(
        `lrs-relay requests ${action}: give request ids or a filter (--status, --code, --org, --kind, --batch)`,
      );
      return 2;
    }
    ids = await findRequestIds(ctx.db, ctx.actor, filter);
    if (ids.length === 0) {
      if (v.json) io.out(jsonText({ done: [], skipped: [] }));
      else io.out('No requests match.');
      return 0;
    }
    if (!v.yes) {
      if (!io.isInteractive) {
        io.err(
          `lrs-relay requests ${action}: ${ids.length} request(s) match; add --yes to ${action} them without asking`,
        );
        return 2;
      }
      const answer = await io.ask(
        `${action === 'retry' ? 'Retry' : 'Cancel'} ${ids.length} request(s) (${describeFilter(v)})? [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.err('Nothing changed.');
        return 1;
      }
    }
  }
  const onProgress = (handled: number, total: number) => io.progress(`${action}: ${handled}/${total}`);
  const options = { onProgress, chunkSize: 200 };
  const result: ActionResult =
    action === 'retry'
      ? await retryRequests(ctx.db, ids, ctx.actor, options)
      : await cancelRequests(ctx.db, ids, ctx.actor, options);
  io.progress('');
  if (v.json) {
    io.out(jsonText(result));
  } else {
    io.out(terminalLine`${action === 'retry' ? 'Retried' : 'Cancelled'} ${result.done.length} request(s).`);
    const wrong = result.skipped.filter((s) => s.reason === 'wrong_status').map((s) => s.id);
    const missing = result.skipped.filter((s) => s.reason === 'not_found').map((s) => s.id);
    if (wrong.length) io.out(terminalLine`Left alone (status does not allow ${action}): ${wrong.join(', ')}`);
    if (missing.length) io.out(terminalLine`Not found: ${missing.join(', ')}`);
  }
  return result.skipped.length > 0 && result.done.length === 0 ? 1 : 0;
}

/** The command body, with its context passed in (tests call this). */
export async function runRequests(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (values.help) {
    ctx.io.out(USAGE);
    return 0;
  }
  const [sub, ...rest] = positionals;
  if (sub === undefined || sub === 'list') return listCommand(ctx, values);
  if (sub === 'show') return showCommand(ctx, values, rest);
  if (sub === 'retry' || sub === 'cancel') return actionCommand(ctx, values, sub, rest);
  if (sub === 'resolve') return resolveCommand(ctx, values, rest);
  ctx.io.err(`lrs-relay requests: unknown subcommand "${sub}"\n${USAGE}`);
  return 2;
}

export function run(args: string[]): Promise<number> {
  return withCliContext((ctx) => runRequests(args, ctx));
}
