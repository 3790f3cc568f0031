/**
 * `lrs-relay call <operation> --input <file.json|-> [--ukprn X | --org-ref X | --org X] [--password-env VAR]
 *  [--user NAME] [--endpoint BASE_URL] [--timeout MS] [--json]`
 *
 * One LRS call from a JSON input; prints the typed result. Exit 0 when a response was read (any LRS code,
 * including LRS faults), 1 for our own errors (validation, transport, configuration), 2 for bad usage.
 * Credentials come from flags and an environment variable for now; `IdentitySource` is the seam where the
 * organisations module will supply them from the database.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { classifyCode, isRetryable } from '../lrs/catalogue.ts';
import { createLrsClient } from '../lrs/client.ts';
import { isLrsError } from '../lrs/errors.ts';
import type { LrsClient, LrsEndpoints, LrsIdentity } from '../lrs/types.ts';

export const summary = 'make one LRS call from a JSON input and print the typed result';

/** Where the identity of a call comes from (flags/env today, the organisations table later). */
export type IdentitySource = (o: { org?: string | undefined; ukprn?: string | undefined; orgRef?: string | undefined; user?: string | undefined; passwordEnv: string }) => Promise<LrsIdentity>;

/** Flags + one environment variable holding the 16-character password (never a flag: it would show in `ps`). */
export const identityFromFlags: IdentitySource = async (o) => {
  const org = o.org?.trim();
  const ukprn = o.ukprn ?? (org && org.length === 8 ? org : undefined);
  const organisationRef = o.orgRef ?? (org && org.length !== 8 ? org : undefined);
  return {
    ukprn,
    organisationRef,
    password: process.env[o.passwordEnv] ?? '',
    userName: o.user ?? 'lrs-relay',
    vendorId: loadConfig().LRS_VENDOR_ID,
  };
};

type Input = Record<string, unknown>;
/** Operation name → how its JSON input becomes a client call. */
const OPERATIONS: Record<string, (c: LrsClient, id: LrsIdentity, input: Input, signal: AbortSignal) => Promise<unknown>> = {
  learnerByUln: (c, id, i, signal) => c.learnerByUln(id, i as never, { signal }),
  learnerByDemographics: (c, id, i, signal) => c.learnerByDemographics(id, i as never, { signal }),
  registerSingleLearner: (c, id, i, signal) => c.registerSingleLearner(id, i as never, { signal }),
  updateSingleLearner: (c, id, i, signal) => c.updateSingleLearner(id, i as never, { signal }),
  verifyLearner: (c, id, i, signal) => c.verifyLearner(id, i as never, { signal }),
  submitBatchRegistration: (c, id, i, signal) => c.submitBatchRegistration(id, i as never, { signal }),
  getBatchRegistrationOutput: (c, id, i, signal) => c.getBatchRegistrationOutput(id, String(i.jobId), { signal }),
  submitVerifyBatch: (c, id, i, signal) => c.submitVerifyBatch(id, i as never, { signal }),
  getVerifyBatchOutput: (c, id, i, signal) => c.getVerifyBatchOutput(id, String(i.jobId), { signal }),
  retrieveUlns: (c, id, i, signal) => c.retrieveUlns(id, (i.ulns ?? []) as string[], { signal }),
  getLearnerLearningEvents: (c, id, i, signal) => c.getLearnerLearningEvents(id, i as never, { signal }),
  learnerByUlnR9: (c, id, i, signal) => c.learnerByUlnR9(id, i as never, { signal }),
  submitAchievementBatchJob: (c, id, i, signal) => c.submitAchievementBatchJob(id, i as never, { signal }),
  getAchievementBatchJob: (c, id, i, signal) => c.getAchievementBatchJob(id, Number(i.jobId), { signal }),
};

const USAGE = `Usage: lrs-relay call <operation> --input <file.json|-> [--ukprn X | --org-ref X | --org X]
       [--password-env VAR (default LRS_ORG_PASSWORD)] [--user NAME] [--endpoint BASE_URL] [--timeout MS] [--json]
Operations: ${Object.keys(OPERATIONS).join(', ')}`;

async function readInput(path: string): Promise<Input> {
  const text = path === '-' ? await new Response(process.stdin as unknown as ReadableStream).text() : await readFile(path, 'utf8');
  return JSON.parse(text) as Input;
}

function endpointsFor(base: string | undefined, cfg: LrsEndpoints): LrsEndpoints {
  if (!base) return cfg;
  const b = base.replace(/\/+$/, '');
  return { learnerService: `${b}/LearnerService.svc`, learnerServiceR9: `${b}/LearnerServiceR9.svc`, externalService: `${b}/ExternalService.svc` };
}

export async function run(args: string[], identitySource: IdentitySource = identityFromFlags): Promise<number> {
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
    console.error(operation && !invoke ? `lrs-relay call: unknown operation "${operation}"\n${USAGE}` : USAGE);
    return 2;
  }
  const cfg = loadConfig();
  const client = createLrsClient({
    endpoints: endpointsFor(values.endpoint, cfg.lrsEndpoints),
    timeoutMs: values.timeout ? Number(values.timeout) : cfg.LRS_TIMEOUT_MS,
    connectTimeoutMs: cfg.LRS_CONNECT_TIMEOUT_MS,
    allowInsecureHttp: cfg.LRS_ALLOW_INSECURE_HTTP,
  });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const id = await identitySource({ org: values.org, ukprn: values.ukprn, orgRef: values['org-ref'], user: values.user, passwordEnv: values['password-env'] });
    const result = (await invoke(client, id, await readInput(values.input), abort.signal)) as Record<string, unknown>;
    const code = String(result.code);
    const out = { code, codeSource: result.codeSource, class: result.class, retryable: isRetryable(classifyCode(code)), operation, ...result };
    console.log(values.json ? JSON.stringify(out) : out);
    return 0;
  } catch (e) {
    if (!isLrsError(e)) throw e;
    const out = { ...e.toJSON(), operation };
    console.log(values.json ? JSON.stringify(out) : out);
    // An LRS fault is still a response the LRS sent; only our own failures are errors of this command.
    return e.codeSource === 'lrs' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    await client.close();
  }
}
