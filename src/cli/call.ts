/**
 * `lrs-relay call <operation> --input <file.json|-> [--org X | --ukprn X | --org-ref X --password-env VAR]
 *  [--user NAME] [--endpoint BASE_URL] [--timeout MS] [--json]`
 *
 * One LRS call from a JSON input; prints the typed result. Exit 0 when a response was read (any LRS code,
 * including LRS faults), 1 for our own errors (validation, transport, configuration), 2 for bad usage.
 * `--org` (id, UKPRN or reference) takes the organisation from the database — its password, client
 * certificate and vendor id — and writes the call to lrs.audit like every other. `--ukprn`/`--org-ref`
 * with a password in an environment variable work without a database (e.g. before onboarding), unaudited.
 */
import { readFile } from 'node:fs/promises';
import { inspect, parseArgs } from 'node:util';
import { audit } from '../../db/schema.ts';
import { loadConfig, type Config } from '../config.ts';
import { createDatabase } from '../db/pool.ts';
import { createOrganisationDirectory } from '../orgs/directory.ts';
import { findOrganisation } from '../orgs/store.ts';
import { explainCode, isRetryable } from '../codes/table.ts';
import { createLrsClient } from '../lrs/client.ts';
import { endpointsAt } from '../lrs/endpoints.ts';
import { isLrsError } from '../lrs/errors.ts';
import type { LrsCallEvent, LrsClient, LrsEndpoints, LrsIdentity } from '../lrs/types.ts';
import { errorMessage } from '../errors.ts';
import { createCliLogger, jsonText, terminalJson, terminalLine } from './kit.ts';

/** Where the identity of a call comes from when no organisation from the database is named. */
export type IdentitySource = (o: {
  ukprn?: string | undefined;
  orgRef?: string | undefined;
  user?: string | undefined;
  passwordEnv: string;
}) => Promise<LrsIdentity>;

/** Flags + one environment variable holding the 16-character password (never a flag: it would show in `ps`). */
export const identityFromFlags: IdentitySource = async (o) => ({
  ukprn: o.ukprn,
  organisationRef: o.orgRef,
  password: process.env[o.passwordEnv] ?? '',
  userName: o.user ?? 'lrs-relay',
  vendorId: loadConfig().LRS_VENDOR_ID,
});

/** A client and identity for one call, and how to finish it (audit, close). */
interface CallSetup {
  client: LrsClient;
  identity: LrsIdentity;
  finish(): Promise<void>;
}

function clientOptions(cfg: Config, endpoint: string | undefined, timeout: string | undefined) {
  return {
    endpoints: endpointsFor(endpoint, cfg.lrsEndpoints),
    timeoutMs: timeout ? Number(timeout) : cfg.LRS_TIMEOUT_MS,
    connectTimeoutMs: cfg.LRS_CONNECT_TIMEOUT_MS,
    allowInsecureHttp: cfg.LRS_ALLOW_INSECURE_HTTP,
  };
}

/** The organisation's own credentials from the database; the call is audited when it finishes. */
async function setUpFromDatabase(
  cfg: Config,
  key: string,
  user: string | undefined,
  endpoint: string | undefined,
  timeout: string | undefined,
): Promise<CallSetup> {
  const database = createDatabase({ url: cfg.DATABASE_URL, poolSize: 2, applicationName: 'lrs-relay call' });
  try {
    const record = await findOrganisation(database.db, key);
    const log = createCliLogger('call');
    const credentials = await createOrganisationDirectory({
      db: database.db,
      config: cfg,
      log,
      ttlMs: 0,
    }).get(record.id);
    const calls: LrsCallEvent[] = [];
    const client = createLrsClient({
      ...clientOptions(cfg, endpoint, timeout),
      tls: credentials.tls,
      onCall: (e) => calls.push(e),
    });
    return {
      client,
      identity: { ...credentials.identity, userName: user ?? credentials.defaultUserName },
      async finish() {
        await client.close();
        if (calls.length > 0) {
          await database.db.insert(audit).values(
            calls.map((e) => ({
              organisationId: record.id,
              userName: e.userName,
              operation: e.operation,
              code: e.code,
              codeSource: e.codeSource,
              httpStatus: e.httpStatus ?? null,
              durationMs: e.durationMs,
            })),
          );
        }
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}

type Input = Record<string, unknown>;
/** Operation name → how its JSON input becomes a client call. */
const OPERATIONS: Record<
  string,
  (c: LrsClient, id: LrsIdentity, input: Input, signal: AbortSignal) => Promise<unknown>
> = {
  learnerByUln: (c, id, i, signal) => c.learnerByUln(id, i as never, { signal }),
  learnerByDemographics: (c, id, i, signal) => c.learnerByDemographics(id, i as never, { signal }),
  registerSingleLearner: (c, id, i, signal) => c.registerSingleLearner(id, i as never, { signal }),
  updateSingleLearner: (c, id, i, signal) => c.updateSingleLearner(id, i as never, { signal }),
  verifyLearner: (c, id, i, signal) => c.verifyLearner(id, i as never, { signal }),
  submitBatchRegistration: (c, id, i, signal) => c.submitBatchRegistration(id, i as never, { signal }),
  getBatchRegistrationOutput: (c, id, i, signal) =>
    c.getBatchRegistrationOutput(id, String(i.jobId), { signal }),
  submitVerifyBatch: (c, id, i, signal) => c.submitVerifyBatch(id, i as never, { signal }),
  getVerifyBatchOutput: (c, id, i, signal) => c.getVerifyBatchOutput(id, String(i.jobId), { signal }),
  retrieveUlns: (c, id, i, signal) => c.retrieveUlns(id, (i.ulns ?? []) as string[], { signal }),
  getLearnerLearningEvents: (c, id, i, signal) => c.getLearnerLearningEvents(id, i as never, { signal }),
  learnerByUlnR9: (c, id, i, signal) => c.learnerByUlnR9(id, i as never, { signal }),
  submitAchievementBatchJob: (c, id, i, signal) => c.submitAchievementBatchJob(id, i as never, { signal }),
  getAchievementBatchJob: (c, id, i, signal) => c.getAchievementBatchJob(id, Number(i.jobId), { signal }),
};

const USAGE = `Usage: lrs-relay call <operation> --input <file.json|-> [--org ID|UKPRN|REF]
       [--ukprn X | --org-ref X] [--password-env VAR (default LRS_ORG_PASSWORD)]
       [--user NAME] [--endpoint BASE_URL] [--timeout MS] [--json]
  --org          an organisation from the database (its password and certificate; the call is audited)
  --ukprn/--org-ref with --password-env: call without the database (not audited)
Operations: ${Object.keys(OPERATIONS).join(', ')}`;

async function readInput(path: string): Promise<Input> {
  const text =
    path === '-'
      ? await new Response(process.stdin as unknown as ReadableStream).text()
      : await readFile(path, 'utf8');
  return JSON.parse(text) as Input;
}

function endpointsFor(base: string | undefined, cfg: LrsEndpoints): LrsEndpoints {
  return base ? endpointsAt(base) : cfg;
}

/**
 * What `call` prints: the answer as JSON, or as the object Node prints (util.inspect escapes C0 and C1
 * controls in strings, not the direction controls); either way nothing the LRS sent can steer the terminal.
 */
export function formatCallOutput(out: Record<string, unknown>, json: boolean | undefined): string {
  return json ? jsonText(out) : terminalJson(inspect(out, { depth: 4 }));
}

export async function run(
  args: string[],
  identitySource: IdentitySource = identityFromFlags,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      org: { type: 'string' },
      ukprn: { type: 'string' },
      'org-ref': { type: 'string' },
      'password-env': { type: 'string', default: 'LRS_ORG_PASSWORD' },
      user: { type: 'string' },
      endpoint: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const operation = positionals[0];
  if (values.help) return (console.log(USAGE), 0);
  const invoke = operation ? OPERATIONS[operation] : undefined;
  if (!invoke || !values.input) {
    console.error(
      operation && !invoke ? `lrs-relay call: unknown operation "${operation}"\n${USAGE}` : USAGE,
    );
    return 2;
  }
  if (values.org !== undefined && (values.ukprn !== undefined || values['org-ref'] !== undefined)) {
    console.error(
      'lrs-relay call: give either --org (an organisation in the database) or --ukprn/--org-ref with --password-env, not both',
    );
    return 2;
  }
  const cfg = loadConfig();
  let setup: CallSetup;
  if (values.org !== undefined) {
    try {
      setup = await setUpFromDatabase(cfg, values.org, values.user, values.endpoint, values.timeout);
    } catch (e) {
      console.error(
        terminalLine`lrs-relay call: could not use organisation "${values.org}" from the database: ${errorMessage(e)}\n` +
          'Check DATABASE_URL and `lrs-relay orgs list`, or call without the database: --ukprn/--org-ref with --password-env.',
      );
      return 1;
    }
  } else {
    const client = createLrsClient(clientOptions(cfg, values.endpoint, values.timeout));
    const identity = await identitySource({
      ukprn: values.ukprn,
      orgRef: values['org-ref'],
      user: values.user,
      passwordEnv: values['password-env'],
    });
    setup = { client, identity, finish: () => client.close() };
  }
  const { client, identity: id } = setup;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = (await invoke(client, id, await readInput(values.input), abort.signal)) as Record<
      string,
      unknown
    >;
    const code = String(result.code);
    const out = {
      code,
      codeSource: result.codeSource,
      class: result.class,
      retryable: isRetryable(explainCode(code)),
      operation,
      ...result,
    };
    console.log(formatCallOutput(out, values.json));
    return 0;
  } catch (e) {
    if (!isLrsError(e)) throw e;
    const out = { ...e.toJSON(), operation };
    console.log(formatCallOutput(out, values.json));
    // An LRS fault is still a response the LRS sent; only our own failures are errors of this command.
    return e.codeSource === 'lrs' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    await setup.finish();
  }
}
