/**
 * `lrs-relay orgs add|list|show|update|disable|enable|test` — the organisations this installation
 * serves, their LRS identity, secret references, client certificate and fair share of the workers.
 * Exit codes: 0 done, 1 failed (including a failed `test`), 2 bad usage (nothing was changed).
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { createDatabase } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import type { CreateLrsClientOptions, LrsClient } from '../lrs/types.ts';
import type { CredentialCheck } from '../orgs/check-credentials.ts';
import { testOrganisation } from '../orgs/test-organisation.ts';
import { createCliActor } from '../support/access.ts';
import { buildOrganisationFields, type OrganisationOptionValues } from './orgs-input.ts';
import { formatOrganisation, formatOrganisationList, presentOrganisation } from './orgs-format.ts';
import { createCliLogger, jsonText, terminalLine, terminalText } from './kit.ts';
import { formatWsdlCheck } from './wsdl.ts';
import { RELAY_CODES } from '../codes/client-codes.ts';
import { isOrganisationError, OrganisationError, ORG_ERROR_CODES } from '../orgs/errors.ts';
import { countOpenRequests } from '../db/organisations.ts';
import {
  findOrganisation,
  insertOrganisation,
  listOrganisations,
  organisationLabel,
  setOrganisationDisabled,
  updateOrganisation,
  type OrganisationFields,
  type OrganisationRecord,
} from '../orgs/store.ts';
import type { Db } from '../db/pool.ts';
import { errorMessage } from '../errors.ts';

const USAGE = `Usage:
  lrs-relay orgs add --name NAME (--ukprn 8CHARS | --org-ref 6CHARS) --password REF --user USERNAME
                     [--pfx FILE --passphrase REF | --key FILE --cert FILE [--passphrase REF]]
                     [--vendor-id N] [--concurrency N] [--rate-limit N] [--skip-checks]
  lrs-relay orgs update ORG [any add option] [--rate-limit none] [--no-certificate]
  lrs-relay orgs list [--json]
  lrs-relay orgs show ORG [--json]
  lrs-relay orgs disable ORG --reason "why"
  lrs-relay orgs enable ORG
  lrs-relay orgs test ORG [--user USERNAME] [--uln ULN --given NAME --family NAME] [--json]

ORG is the organisation's id, UKPRN or organisation reference; show, disable, enable and test also
take it as --ukprn 8CHARS or --org-ref 6CHARS, as add does.
REF says where a secret is, never the secret itself:
  env:NAME     an environment variable of the lrs-relay processes (read when needed)
  file:/path   a file, e.g. a mounted secret (read when needed; final line break ignored)
  stdin        piped in now and stored encrypted under SECRETS_KEY, e.g.
               lrs-relay orgs add … --password stdin < /run/secrets/lrs-password
--concurrency is the organisation's share of WORKER_CONCURRENCY (default 8); --rate-limit is its LRS
calls per second (default: the global RATE_LIMIT_PER_SECOND). An update without --passphrase keeps
the stored passphrase reference. \`test\` makes one learnerByULN call and says which part failed,
then checks the services' WSDLs against lrs-relay's message descriptions (a difference only warns).`;

const OPTIONS = {
  name: { type: 'string' },
  ukprn: { type: 'string' },
  'org-ref': { type: 'string' },
  'vendor-id': { type: 'string' },
  password: { type: 'string' },
  pfx: { type: 'string' },
  key: { type: 'string' },
  cert: { type: 'string' },
  passphrase: { type: 'string' },
  user: { type: 'string' },
  concurrency: { type: 'string' },
  'rate-limit': { type: 'string' },
  'no-certificate': { type: 'boolean' },
  'skip-checks': { type: 'boolean' },
  reason: { type: 'string' },
  uln: { type: 'string' },
  given: { type: 'string' },
  family: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Where the command reads and writes; tests pass their own. */
export interface OrgsIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  log?: Logger | undefined;
  /** For tests: the LRS client factory `test` uses. */
  createClient?: ((o: CreateLrsClientOptions) => LrsClient) | undefined;
}

interface Ctx {
  io: OrgsIo;
  config: Config;
  values: Values;
  org: string | undefined;
}

class UsageError extends Error {}

const FIELD_OPTIONS = [
  'name',
  'ukprn',
  'org-ref',
  'vendor-id',
  'password',
  'pfx',
  'key',
  'cert',
  'passphrase',
  'user',
  'concurrency',
  'rate-limit',
  'no-certificate',
  'skip-checks',
] as const;
const ALLOWED: Record<string, readonly string[]> = {
  add: FIELD_OPTIONS,
  update: FIELD_OPTIONS,
  list: [],
  show: ['ukprn', 'org-ref'],
  disable: ['reason', 'ukprn', 'org-ref'],
  enable: ['ukprn', 'org-ref'],
  test: ['user', 'uln', 'given', 'family', 'ukprn', 'org-ref'],
};

function fieldValues(v: Values): OrganisationOptionValues {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_OPTIONS) out[k] = v[k];
  return out as OrganisationOptionValues;
}

/** ORG, the positional argument: the organisation's id, UKPRN or reference. */
function requireOrg(c: Ctx, command: string): string {
  if (c.org === undefined)
    throw new UsageError(`orgs ${command} needs the organisation: its id, UKPRN or reference`);
  return c.org;
}

/**
 * The organisation show, disable, enable and test name: ORG, or `--ukprn`/`--org-ref` as `orgs add`
 * took them (`update` reads those two as new values, so it takes ORG only). Given as an option, the
 * organisation found must have that UKPRN or reference, never merely that id.
 */
async function namedOrganisation(c: Ctx, db: Db, command: string): Promise<OrganisationRecord> {
  const { ukprn, 'org-ref': ref } = c.values;
  const given = [c.org, ukprn, ref].filter((x) => x !== undefined).length;
  if (given > 1)
    throw new UsageError(`orgs ${command}: name the organisation once (ORG, --ukprn or --org-ref)`);
  if (ukprn === undefined && ref === undefined) return findOrganisation(db, requireOrg(c, command));
  const record = await findOrganisation(db, ukprn ?? ref ?? '');
  if (
    (ukprn !== undefined && record.ukprn !== ukprn.trim()) ||
    (ref !== undefined && record.organisationRef !== ref.trim())
  )
    throw new OrganisationError(
      ORG_ERROR_CODES.NOT_FOUND,
      `no organisation with ${ukprn === undefined ? 'reference' : 'UKPRN'} "${terminalText(ukprn ?? ref)}" (see \`lrs-relay orgs list\`)`,
    );
  return record;
}

async function withDb<T>(
  c: Ctx,
  fn: (db: ReturnType<typeof createDatabase>['db']) => Promise<T>,
): Promise<T> {
  const database = createDatabase({
    url: c.config.DATABASE_URL,
    poolSize: 2,
    statementTimeoutMs: c.config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'lrs-relay orgs',
  });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

async function add(c: Ctx): Promise<number> {
  const built = await buildOrganisationFields(fieldValues(c.values), {
    config: c.config,
    env: c.io.env,
    stdin: c.io.stdin,
  });
  for (const w of built.warnings) c.io.stderr(terminalLine`warning: ${w}`);
  const record = await withDb(c, (db) => insertOrganisation(db, built.fields as OrganisationFields));
  if (c.values.json) c.io.stdout(jsonText(presentOrganisation(record)));
  else
    c.io.stdout(
      terminalLine`Added organisation ${record.id}: ${organisationLabel(record)}. Check it with \`lrs-relay orgs test ${record.id}\`.`,
    );
  return 0;
}

async function update(c: Ctx): Promise<number> {
  const key = requireOrg(c, 'update');
  return withDb(c, async (db) => {
    const existing = await findOrganisation(db, key);
    const built = await buildOrganisationFields(fieldValues(c.values), {
      config: c.config,
      env: c.io.env,
      stdin: c.io.stdin,
      existing,
    });
    for (const w of built.warnings) c.io.stderr(terminalLine`warning: ${w}`);
    if (Object.keys(built.fields).length === 0)
      throw new UsageError('nothing to update: give at least one option (see `lrs-relay orgs --help`)');
    const record = await updateOrganisation(db, existing.id, built.fields);
    if (c.values.json) c.io.stdout(jsonText(presentOrganisation(record)));
    else
      c.io.stdout(
        terminalLine`Updated organisation ${record.id}: ${organisationLabel(record)}. Running workers pick the change up within a minute.`,
      );
    return 0;
  });
}

async function list(c: Ctx): Promise<number> {
  const records = await withDb(c, (db) => listOrganisations(db));
  if (c.values.json) c.io.stdout(jsonText(records.map((r) => presentOrganisation(r))));
  else c.io.stdout(formatOrganisationList(records, c.config.CERT_EXPIRY_WARNING_DAYS));
  return 0;
}

async function show(c: Ctx): Promise<number> {
  const record = await withDb(c, (db) => namedOrganisation(c, db, 'show'));
  if (c.values.json) c.io.stdout(jsonText(presentOrganisation(record)));
  else c.io.stdout(formatOrganisation(record, c.config.CERT_EXPIRY_WARNING_DAYS));
  return 0;
}

async function setDisabled(c: Ctx, disabled: boolean): Promise<number> {
  const reason = c.values.reason?.trim();
  if (disabled && !reason)
    throw new UsageError('orgs disable needs --reason "…" (shown to the MIS when it submits new work)');
  return withDb(c, async (db) => {
    const existing = await namedOrganisation(c, db, disabled ? 'disable' : 'enable');
    const record = await setOrganisationDisabled(db, existing.id, disabled, reason ?? null);
    const open = await countOpenRequests(db, record.id);
    if (c.values.json) c.io.stdout(jsonText({ ...presentOrganisation(record), openRequests: open }));
    else if (disabled) {
      c.io.stdout(
        terminalLine`Disabled ${organisationLabel(record)}: lrs.submit_request now refuses its new work with "${reason ?? ''}". ` +
          `${open} open request(s) stay visible; cancel them with the support commands if they should not run.`,
      );
    } else
      c.io.stdout(
        terminalLine`Enabled ${organisationLabel(record)}: new work is accepted again (${open} open request(s)).`,
      );
    return 0;
  });
}

function printCheck(c: Ctx, label: string, check: CredentialCheck, extra: Record<string, unknown>): void {
  if (c.values.json) {
    c.io.stdout(jsonText({ organisation: label, ...extra, ...check }));
    return;
  }
  if (check.ok) c.io.stdout(terminalLine`OK: ${check.summary} in ${check.durationMs} ms.`);
  else {
    c.io.stdout(terminalLine`FAILED (${check.failure}): ${check.summary}.`);
    c.io.stdout(terminalLine`What to do: ${check.advice}.`);
  }
}

async function test(c: Ctx): Promise<number> {
  const v = c.values;
  const learnerGiven = [v.uln, v.given, v.family].filter((x) => x !== undefined).length;
  if (learnerGiven !== 0 && learnerGiven !== 3)
    throw new UsageError('--uln, --given and --family go together');
  // Silent: what the directory would log (a secret that cannot be read, a certificate near its end)
  // this command says itself, in the FAILED line and its own warning.
  const log = c.io.log ?? createCliLogger('orgs', 'silent');
  return withDb(c, async (db) => {
    const record = await namedOrganisation(c, db, 'test');
    const key = record.ukprn ?? record.organisationRef ?? String(record.id);
    const label = organisationLabel(record);
    const userName = v.user ?? record.defaultUserName;
    const endpoint = c.config.lrsEndpoints.learnerService;
    if (!v.json)
      c.io.stdout(terminalLine`Testing ${label} with learnerByULN at ${endpoint} as UserName "${userName}"…`);
    if (record.isDisabled && !v.json)
      c.io.stderr(
        terminalLine`note: ${label} is disabled (${record.disabledReason ?? 'no reason given'}); testing anyway.`,
      );
    const r = await testOrganisation({
      db,
      config: c.config,
      log,
      env: c.io.env,
      record,
      testedBy: createCliActor(userInfo().username).name,
      userName,
      learner:
        v.uln !== undefined
          ? { uln: v.uln, givenName: v.given ?? '', familyName: v.family ?? '' }
          : undefined,
      vendorIdFix: `set it with \`lrs-relay orgs update ${key} --vendor-id N\` (organisations added later take LRS_VENDOR_ID)`,
      createClient: c.io.createClient,
    });
    if (r.certificateWarning)
      c.io.stderr(`warning: the client certificate expires in ${r.certificateDaysLeft} day(s).`);
    const vendor = r.vendorProblem
      ? {
          ok: false,
          code: RELAY_CODES.VENDOR_ID_NOT_SET,
          vendorId: record.vendorId,
          problem: r.vendorProblem,
        }
      : { ok: true, vendorId: record.vendorId };
    printCheck(c, label, r.check, { endpoint, userName, wsdl: r.wsdl, r9VendorId: vendor });
    if (r.vendorProblem && !v.json)
      c.io.stdout(terminalLine`FAILED (vendor id): R9 calls of ${label} are refused: ${r.vendorProblem}.`);
    if (!v.json) {
      c.io.stdout(
        "Contract check of the services' WSDLs (warns only; `lrs-relay wsdl check` runs it alone):",
      );
      for (const line of formatWsdlCheck(r.wsdl)) c.io.stdout(`  ${line}`);
    }
    if (!r.wsdl.ok)
      c.io.stderr(
        "warning: the LRS WSDLs differ from lrs-relay's message descriptions or could not be read (see the contract check); the organisation test does not fail for it.",
      );
    return r.ok ? 0 : 1;
  });
}

const SUBCOMMANDS: Record<string, (c: Ctx) => Promise<number>> = {
  add,
  update,
  list,
  show,
  disable: (c) => setDisabled(c, true),
  enable: (c) => setDisabled(c, false),
  test,
};

/** Messages of errors we did not make may quote SQL parameters; show the cause's first line only. */
function plainMessage(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  return errorMessage(cause).split('\n')[0] ?? '';
}

export async function run(args: string[], ioOverrides: Partial<OrgsIo> = {}): Promise<number> {
  const io: OrgsIo = {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    stdin: process.stdin,
    env: process.env,
    ...ioOverrides,
  };
  try {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout(USAGE);
      return sub === undefined ? 2 : 0;
    }
    const command = SUBCOMMANDS[sub];
    if (!command)
      throw new UsageError(`unknown orgs command "${sub}" (add, list, show, update, disable, enable, test)`);
    const parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    if (parsed.values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const allowed = new Set([...(ALLOWED[sub] ?? []), 'json', 'help']);
    const misplaced = Object.keys(parsed.values).filter((k) => !allowed.has(k));
    if (misplaced.length > 0)
      throw new UsageError(`orgs ${sub} does not take ${misplaced.map((k) => `--${k}`).join(', ')}`);
    // Never echo extra positionals: a secret pasted in the wrong place must not reach the terminal log.
    if (parsed.positionals.length > (sub === 'add' || sub === 'list' ? 0 : 1))
      throw new UsageError(`orgs ${sub}: unexpected extra argument(s)`);
    const config = loadConfig(io.env);
    return await command({ io, config, values: parsed.values, org: parsed.positionals[0] });
  } catch (e) {
    if (
      e instanceof UsageError ||
      (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
    ) {
      io.stderr(`lrs-relay orgs: ${e.message}\nRun \`lrs-relay orgs --help\` for the options.`);
      return 2;
    }
    if (isOrganisationError(e)) {
      io.stderr(`lrs-relay orgs: ${e.message}`);
      return e.code === ORG_ERROR_CODES.INVALID_INPUT || e.code === ORG_ERROR_CODES.PLAIN_SECRET ? 2 : 1;
    }
    if (e instanceof Error && e.name === 'ConfigError') throw e;
    io.stderr(`lrs-relay orgs: ${plainMessage(e)}`);
    return 1;
  }
}
