/**
 * The organisation directory: everything a worker needs to call the LRS for one organisation —
 * identity, password, client certificate, default UserName and its fair share of the workers —
 * resolved from lrs.organisation and the secret references it holds, checked, and cached briefly.
 *
 * Usage (composition root): `const directory = createOrganisationDirectory({ db, config, log })`,
 * then `await directory.get(request.organisationId)`. `orgs update` in another process is picked up
 * within `ttlMs`; in the same process call `invalidate(id)`.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import { RULES } from '../lrs/rules.ts';
import type { LrsIdentity, LrsTlsCredentials } from '../lrs/types.ts';
import { daysUntilExpiry, isExpiringSoon, loadCertificate } from './certificates.ts';
import { ORG_ERROR_CODES, OrganisationError } from './errors.ts';
import { describeSecretRef, resolveSecret, type SecretRef } from './secrets.ts';
import {
  getOrganisationById,
  listOrganisations,
  organisationCode,
  organisationLabel,
  type OrganisationRecord,
} from './store.ts';
import { recordCertificateNotAfter } from '../db/organisations.ts';

/** The LRS identity of an organisation, without the UserName (that is per request). */
export type OrganisationIdentity = Omit<LrsIdentity, 'userName'> & { vendorId: number };

/** What a worker needs to call the LRS for one organisation. Holds secrets: never log it whole. */
export interface OrganisationCredentials {
  organisationId: number;
  name: string;
  /** UKPRN or organisation reference: safe for logs and metric labels. */
  code: string;
  identity: OrganisationIdentity;
  tls?: LrsTlsCredentials | undefined;
  /** Certificate facts (no key material); undefined without a client certificate. */
  certificate?:
    { notAfter: Date; subject: string; fingerprint256: string; daysUntilExpiry: number } | undefined;
  /** UserName for unattended work (nightly runs, sweeps). */
  defaultUserName: string;
  /** Jobs of this organisation that may run at once (capped by WORKER_CONCURRENCY). */
  concurrencyShare: number;
  /** LRS calls per second for this organisation; null = the global RATE_LIMIT_PER_SECOND. */
  rateLimitPerSecond: number | null;
  isDisabled: boolean;
  disabledReason: string | null;
}

/** An organisation without its secrets (nothing is resolved, so one broken reference cannot hide the rest). */
export interface OrganisationSummary {
  organisationId: number;
  name: string;
  code: string;
  ukprn: string | null;
  organisationRef: string | null;
  vendorId: number;
  defaultUserName: string;
  concurrencyShare: number;
  rateLimitPerSecond: number | null;
  isDisabled: boolean;
  disabledReason: string | null;
  certificateNotAfter: Date | null;
}

export interface OrganisationDirectory {
  /** Resolved, checked credentials. Throws OrganisationError (NOT_FOUND, SECRET_*, CERTIFICATE_*). */
  get(organisationId: number): Promise<OrganisationCredentials>;
  list(): Promise<OrganisationSummary[]>;
  /** Forgets cached credentials of one organisation, or of all. */
  invalidate(organisationId?: number): void;
}

export interface CreateOrganisationDirectoryOptions {
  db: Db;
  config: Pick<Config, 'SECRETS_KEY' | 'CERT_EXPIRY_WARNING_DAYS'>;
  log: Logger;
  /**
   * Where `env:NAME` references are read. Default process.env: these names are chosen per organisation
   * at `orgs add` time, so config.ts cannot know them in advance.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** How long resolved credentials are reused, ms (default 60000). */
  ttlMs?: number | undefined;
  now?: (() => Date) | undefined;
}

/** A JSON view of credentials with every secret removed, so an accidental log line leaks nothing. */
function redactedView(c: OrganisationCredentials): Record<string, unknown> {
  const { identity, tls, ...rest } = c;
  return { ...rest, identity: { ...identity, password: '[redacted]' }, tls: tls ? '[redacted]' : undefined };
}

export function summariseOrganisation(r: OrganisationRecord): OrganisationSummary {
  return {
    organisationId: r.id,
    name: r.name,
    code: organisationCode(r),
    ukprn: r.ukprn,
    organisationRef: r.organisationRef,
    vendorId: r.vendorId,
    defaultUserName: r.defaultUserName,
    concurrencyShare: r.concurrencyShare,
    rateLimitPerSecond: r.rateLimitPerSecond,
    isDisabled: r.isDisabled,
    disabledReason: r.disabledReason,
    certificateNotAfter: r.certificateNotAfter,
  };
}

export interface ResolveCredentialsContext {
  config: Pick<Config, 'SECRETS_KEY' | 'CERT_EXPIRY_WARNING_DAYS'>;
  env: Readonly<Record<string, string | undefined>>;
  now: Date;
}

/** Resolves one organisation's password and certificate and checks both. No caching, no side effects. */
export async function resolveCredentials(
  r: OrganisationRecord,
  c: ResolveCredentialsContext,
): Promise<OrganisationCredentials> {
  const label = organisationLabel(r);
  const resolve = (ref: SecretRef, what: string) =>
    resolveSecret(ref, { organisation: label, what, env: c.env, secretsKey: c.config.SECRETS_KEY });
  if (!r.passwordRef) {
    throw new OrganisationError(
      ORG_ERROR_CODES.SECRET_UNREADABLE,
      `organisation ${label}: the stored LRS password reference is not valid; set it again with \`lrs-relay orgs update --password\``,
      {
        organisation: label,
      },
    );
  }
  const password = await resolve(r.passwordRef, 'LRS password');
  const passwordProblem = RULES.orgPassword(password);
  if (passwordProblem) {
    const ref = describeSecretRef(r.passwordRef);
    throw new OrganisationError(
      ORG_ERROR_CODES.SECRET_INVALID,
      `organisation ${label}: the LRS password (${ref}) ${passwordProblem}`,
      { organisation: label, reference: ref },
    );
  }
  if (r.certificateRef === undefined) {
    throw new OrganisationError(
      ORG_ERROR_CODES.CERTIFICATE_UNREADABLE,
      `organisation ${label}: the stored certificate reference is not valid; set it again with \`lrs-relay orgs update --pfx|--key/--cert\``,
      {
        organisation: label,
      },
    );
  }
  const loaded = r.certificateRef
    ? await loadCertificate(r.certificateRef, {
        organisation: label,
        resolvePassphrase: (ref) => resolve(ref, 'certificate passphrase'),
        now: c.now,
      })
    : undefined;
  const credentials: OrganisationCredentials = {
    organisationId: r.id,
    name: r.name,
    code: organisationCode(r),
    identity: {
      ...(r.ukprn ? { ukprn: r.ukprn } : { organisationRef: r.organisationRef ?? undefined }),
      password,
      vendorId: r.vendorId,
    },
    tls: loaded?.tls,
    certificate: loaded
      ? {
          notAfter: loaded.notAfter,
          subject: loaded.subject,
          fingerprint256: loaded.fingerprint256,
          daysUntilExpiry: daysUntilExpiry(loaded.notAfter, c.now),
        }
      : undefined,
    defaultUserName: r.defaultUserName,
    concurrencyShare: r.concurrencyShare,
    rateLimitPerSecond: r.rateLimitPerSecond,
    isDisabled: r.isDisabled,
    disabledReason: r.disabledReason,
  };
  Object.defineProperty(credentials, 'toJSON', { value: () => redactedView(credentials), enumerable: false });
  return credentials;
}

export function createOrganisationDirectory(o: CreateOrganisationDirectoryOptions): OrganisationDirectory {
  const ttlMs = o.ttlMs ?? 60_000;
  const now = o.now ?? (() => new Date());
  const env = o.env ?? process.env;
  const cache = new Map<number, { loadedAt: number; value: Promise<OrganisationCredentials> }>();

  async function load(organisationId: number): Promise<OrganisationCredentials> {
    const record = await getOrganisationById(o.db, organisationId);
    if (!record)
      throw new OrganisationError(ORG_ERROR_CODES.NOT_FOUND, `no organisation with id ${organisationId}`);
    const log = o.log.child({ organisation: organisationCode(record), organisationId });
    let credentials: OrganisationCredentials;
    try {
      credentials = await resolveCredentials(record, { config: o.config, env, now: now() });
    } catch (e) {
      if (e instanceof OrganisationError) log.error({ code: e.code, reference: e.reference }, e.message);
      throw e;
    }
    const cert = credentials.certificate;
    if (cert) {
      if (record.certificateNotAfter?.getTime() !== cert.notAfter.getTime())
        await recordCertificateNotAfter(o.db, record.id, cert.notAfter);
      if (isExpiringSoon(cert.notAfter, o.config.CERT_EXPIRY_WARNING_DAYS, now())) {
        log.warn(
          {
            daysUntilExpiry: cert.daysUntilExpiry,
            notAfter: cert.notAfter.toISOString(),
            warningDays: o.config.CERT_EXPIRY_WARNING_DAYS,
          },
          'LRS client certificate expires soon: ask the LRS service desk for a new one and run `lrs-relay orgs update`',
        );
      }
    }
    return credentials;
  }

  return {
    get(organisationId) {
      const hit = cache.get(organisationId);
      if (hit && now().getTime() - hit.loadedAt < ttlMs) return hit.value;
      const value = load(organisationId);
      const entry = { loadedAt: now().getTime(), value };
      cache.set(organisationId, entry);
      // A failure is not cached: the operator may fix the secret and the next job should see it.
      value.catch(() => {
        if (cache.get(organisationId) === entry) cache.delete(organisationId);
      });
      return value;
    },
    async list() {
      return (await listOrganisations(o.db)).map(summariseOrganisation);
    },
    invalidate(organisationId) {
      if (organisationId === undefined) cache.clear();
      else cache.delete(organisationId);
    },
  };
}
