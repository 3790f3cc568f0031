/**
 * Turns `orgs add/update` options into checked organisation fields: identifiers validated with the
 * MIAP rules, secrets turned into references (stdin → encrypted), the certificate loaded and checked
 * when this host can read it. Every problem is collected and reported at once, never with a secret.
 */
import type { Config } from '../config.ts';
import { RULES } from '../lrs/rules.ts';
import {
  isExpiringSoon,
  loadCertificate,
  type CertificateRef,
  type LoadedCertificate,
} from '../orgs/certificates.ts';
import { ORG_ERROR_CODES, OrganisationError, isOrganisationError } from '../orgs/errors.ts';
import {
  describeSecretRef,
  encryptSecret,
  parseSecretInput,
  readSecretFromStream,
  resolveSecret,
  type SecretInput,
  type SecretRef,
} from '../orgs/secrets.ts';
import type { OrganisationFields, OrganisationRecord } from '../orgs/store.ts';
import { errorMessage } from '../errors.ts';

/** Option values as node:util parseArgs returns them for add/update. */
export interface OrganisationOptionValues {
  name?: string | undefined;
  ukprn?: string | undefined;
  'org-ref'?: string | undefined;
  'vendor-id'?: string | undefined;
  password?: string | undefined;
  pfx?: string | undefined;
  key?: string | undefined;
  cert?: string | undefined;
  passphrase?: string | undefined;
  user?: string | undefined;
  concurrency?: string | undefined;
  'rate-limit'?: string | undefined;
  'no-certificate'?: boolean | undefined;
  'skip-checks'?: boolean | undefined;
}

export interface BuildFieldsContext {
  config: Pick<Config, 'SECRETS_KEY' | 'CERT_EXPIRY_WARNING_DAYS' | 'LRS_VENDOR_ID'>;
  env: Readonly<Record<string, string | undefined>>;
  stdin: NodeJS.ReadableStream;
  /** For `update`: the current row (absent options keep their value). */
  existing?: OrganisationRecord | undefined;
  now?: Date | undefined;
}

export interface BuiltFields {
  fields: Partial<OrganisationFields>;
  /** Things the operator should know that did not stop the command (printed to stderr). */
  warnings: string[];
  certificate?: LoadedCertificate | undefined;
}

const invalid = (problems: string[]) =>
  new OrganisationError(
    ORG_ERROR_CODES.INVALID_INPUT,
    problems.length === 1
      ? (problems[0] ?? '')
      : `the options have ${problems.length} problems:\n  ${problems.join('\n  ')}`,
  );

function parseWhole(
  v: string,
  option: string,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.push(`${option} must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return Number(v);
}

/** Secret inputs of one command; only one of them may come from stdin (stdin is read once). */
function parseSecrets(
  v: OrganisationOptionValues,
  problems: string[],
): { password?: SecretInput; passphrase?: SecretInput } {
  const out: { password?: SecretInput; passphrase?: SecretInput } = {};
  for (const [option, value] of [
    ['--password', v.password],
    ['--passphrase', v.passphrase],
  ] as const) {
    if (value === undefined) continue;
    try {
      const parsed = parseSecretInput(value, option);
      if (option === '--password') out.password = parsed;
      else out.passphrase = parsed;
    } catch (e) {
      // A secret typed in clear stops everything at once: nothing else should be processed or stored.
      if (isOrganisationError(e) && e.code === ORG_ERROR_CODES.PLAIN_SECRET) throw e;
      problems.push(errorMessage(e));
    }
  }
  if (out.password?.kind === 'stdin' && out.passphrase?.kind === 'stdin') {
    problems.push(
      'only one of --password and --passphrase can be read from stdin; pass the other as env:NAME or file:/path',
    );
  }
  return out;
}

async function toSecretRef(
  input: SecretInput,
  what: string,
  c: BuildFieldsContext,
): Promise<{ ref: SecretRef; value?: string }> {
  if (input.kind !== 'stdin') return { ref: input };
  if (c.config.SECRETS_KEY === undefined) {
    throw new OrganisationError(
      ORG_ERROR_CODES.SECRETS_KEY_MISSING,
      `the ${what} was to be read from stdin and stored encrypted, but SECRETS_KEY is not set. Set SECRETS_KEY ` +
        '(64 hex characters, `openssl rand -hex 32`, the same in every lrs-relay process), or pass the secret as env:NAME or file:/path.',
    );
  }
  const value = await readSecretFromStream(c.stdin, what);
  return { ref: encryptSecret(value, c.config.SECRETS_KEY), value };
}

/** Reads a reference now if this process can; undefined (with a warning) when it cannot. */
async function tryResolve(
  ref: SecretRef,
  what: string,
  label: string,
  c: BuildFieldsContext,
  warnings: string[],
): Promise<string | undefined> {
  try {
    return await resolveSecret(ref, {
      organisation: label,
      what,
      env: c.env,
      secretsKey: c.config.SECRETS_KEY,
    });
  } catch (e) {
    warnings.push(`${errorMessage(e)} — not checked here; the worker processes must be able to read it`);
    return undefined;
  }
}

/** Builds the fields to insert (`existing` absent) or update. Throws OrganisationError listing every problem. */
export async function buildOrganisationFields(
  v: OrganisationOptionValues,
  c: BuildFieldsContext,
): Promise<BuiltFields> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const isAdd = c.existing === undefined;
  const fields: Partial<OrganisationFields> = {};
  const secrets = parseSecrets(v, problems);

  if (v.name !== undefined) {
    if (v.name.trim() === '' || v.name.length > 200) problems.push('--name must be 1–200 characters');
    else fields.name = v.name.trim();
  } else if (isAdd) problems.push('--name is required');

  if (v.ukprn !== undefined && v['org-ref'] !== undefined)
    problems.push('give exactly one of --ukprn or --org-ref, not both');
  else if (v.ukprn !== undefined) {
    const p = RULES.ukprn(v.ukprn);
    if (p) problems.push(`--ukprn ${p}`);
    else Object.assign(fields, { ukprn: v.ukprn, organisationRef: null });
  } else if (v['org-ref'] !== undefined) {
    const p = RULES.organisationRef(v['org-ref']);
    if (p) problems.push(`--org-ref ${p}`);
    else Object.assign(fields, { ukprn: null, organisationRef: v['org-ref'] });
  } else if (isAdd)
    problems.push('one of --ukprn (8 letters/digits) or --org-ref (6 letters/digits) is required');

  if (v['vendor-id'] !== undefined) {
    const n = parseWhole(v['vendor-id'], '--vendor-id', 0, 2_147_483_647, problems);
    if (n !== undefined) fields.vendorId = n;
  } else if (isAdd) fields.vendorId = c.config.LRS_VENDOR_ID;

  if (v.user !== undefined) {
    const p = RULES.userName(v.user);
    if (p) problems.push(`--user (the LRS UserName) ${p}`);
    else fields.defaultUserName = v.user;
  } else if (isAdd)
    problems.push('--user (the default LRS UserName for unattended work, 1–35 characters) is required');

  if (v.concurrency !== undefined) {
    const n = parseWhole(v.concurrency, '--concurrency', 1, 1000, problems);
    if (n !== undefined) fields.concurrencyShare = n;
  }
  if (v['rate-limit'] !== undefined) {
    if (v['rate-limit'] === 'none') fields.rateLimitPerSecond = null;
    else {
      const n = parseWhole(v['rate-limit'], '--rate-limit', 1, 100_000, problems);
      if (n !== undefined) fields.rateLimitPerSecond = n;
    }
  }

  if (!secrets.password && isAdd) problems.push('--password is required: env:NAME, file:/path or stdin');
  const hasPem = v.key !== undefined || v.cert !== undefined;
  if (v.pfx !== undefined && hasPem) problems.push('give either --pfx or --key with --cert, not both');
  if (hasPem && (v.key === undefined || v.cert === undefined)) problems.push('--key and --cert go together');
  if (v['no-certificate'] && (v.pfx !== undefined || hasPem))
    problems.push('--no-certificate cannot be combined with --pfx/--key/--cert');
  if (secrets.passphrase && v.pfx === undefined && !hasPem)
    problems.push('--passphrase needs --pfx or --key/--cert in the same command');
  if (problems.length > 0) throw invalid(problems);

  const label = `${fields.ukprn ?? fields.organisationRef ?? c.existing?.ukprn ?? c.existing?.organisationRef ?? '?'} (${fields.name ?? c.existing?.name ?? '?'})`;

  if (secrets.password) {
    const { ref, value } = await toSecretRef(secrets.password, 'LRS password', c);
    const password =
      value ?? (v['skip-checks'] ? undefined : await tryResolve(ref, 'LRS password', label, c, warnings));
    const p = password === undefined ? undefined : RULES.orgPassword(password);
    if (p)
      throw new OrganisationError(
        ORG_ERROR_CODES.SECRET_INVALID,
        `the LRS password (${describeSecretRef(ref)}) ${p}; nothing was stored`,
        { reference: describeSecretRef(ref) },
      );
    fields.passwordRef = ref;
  }

  let certificate: LoadedCertificate | undefined;
  if (v['no-certificate']) Object.assign(fields, { certificateRef: null, certificateNotAfter: null });
  else if (v.pfx !== undefined || hasPem) {
    // A renewed certificate usually keeps its passphrase reference (e.g. the same env variable), so an
    // update without --passphrase keeps the stored one.
    const passphraseRef = secrets.passphrase
      ? (await toSecretRef(secrets.passphrase, 'certificate passphrase', c)).ref
      : (c.existing?.certificateRef ?? undefined)?.passphraseRef;
    const certRef: CertificateRef =
      v.pfx !== undefined
        ? { format: 'pfx', path: v.pfx, passphraseRef }
        : { format: 'pem', keyPath: v.key ?? '', certPath: v.cert ?? '', passphraseRef };
    fields.certificateRef = certRef;
    fields.certificateNotAfter = null;
    if (v['skip-checks'])
      warnings.push('certificate not checked (--skip-checks); `lrs-relay orgs test` will check it');
    else {
      const passphraseKnown =
        passphraseRef === undefined ||
        (await tryResolve(passphraseRef, 'certificate passphrase', label, c, warnings)) !== undefined;
      if (passphraseKnown) {
        certificate = await loadCertificate(certRef, {
          organisation: label,
          now: c.now,
          resolvePassphrase: (ref) =>
            resolveSecret(ref, {
              organisation: label,
              what: 'certificate passphrase',
              env: c.env,
              secretsKey: c.config.SECRETS_KEY,
            }),
        });
        fields.certificateNotAfter = certificate.notAfter;
        if (isExpiringSoon(certificate.notAfter, c.config.CERT_EXPIRY_WARNING_DAYS, c.now)) {
          warnings.push(
            `the client certificate expires on ${certificate.notAfter.toISOString()}, within CERT_EXPIRY_WARNING_DAYS (${c.config.CERT_EXPIRY_WARNING_DAYS})`,
          );
        }
      }
    }
  }
  return { fields, warnings, certificate };
}
