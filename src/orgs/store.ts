/**
 * lrs.organisation rows in and out (their statements are in src/db/organisations.ts). The jsonb columns
 * hold secret *references* and certificate file locations (secrets.ts, certificates.ts); nothing here
 * ever sees a secret value.
 */
import type { Db } from '../db/pool.ts';
import {
  insertOrganisationRow,
  selectAllOrganisations,
  selectCertificateExpiries,
  selectOrganisationById,
  selectOrganisationsByKey,
  updateOrganisationRow,
  type OrganisationRow,
} from '../db/organisations.ts';
import { CERTIFICATE_REF_SCHEMA, type CertificateRef } from './certificates.ts';
import { ORG_ERROR_CODES, OrganisationError } from './errors.ts';
import { SECRET_REF_SCHEMA, type SecretRef } from './secrets.ts';

export interface OrganisationRecord {
  id: number;
  name: string;
  ukprn: string | null;
  organisationRef: string | null;
  vendorId: number;
  /** undefined when the stored jsonb is not a valid reference (reported when the password is needed). */
  passwordRef: SecretRef | undefined;
  certificateRef: CertificateRef | null | undefined;
  certificateNotAfter: Date | null;
  defaultUserName: string;
  concurrencyShare: number;
  rateLimitPerSecond: number | null;
  isDisabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields `orgs add` sets; `orgs update` sets any subset. */
export interface OrganisationFields {
  name: string;
  ukprn: string | null;
  organisationRef: string | null;
  vendorId: number;
  passwordRef: SecretRef;
  certificateRef: CertificateRef | null;
  certificateNotAfter: Date | null;
  defaultUserName: string;
  concurrencyShare: number;
  rateLimitPerSecond: number | null;
}

function toRecord(r: OrganisationRow): OrganisationRecord {
  const password = SECRET_REF_SCHEMA.safeParse(r.passwordRef);
  const cert = r.certificateRef === null ? null : CERTIFICATE_REF_SCHEMA.safeParse(r.certificateRef);
  return {
    id: r.id,
    name: r.name,
    ukprn: r.ukprn,
    organisationRef: r.organisationRef,
    vendorId: r.vendorId,
    passwordRef: password.success ? password.data : undefined,
    certificateRef: cert === null ? null : cert.success ? cert.data : undefined,
    certificateNotAfter: r.certificateNotAfter,
    defaultUserName: r.defaultUserName,
    concurrencyShare: r.concurrencyShare,
    rateLimitPerSecond: r.rateLimitPerSecond,
    isDisabled: r.isDisabled,
    disabledReason: r.disabledReason,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The organisation's LRS identifier (UKPRN or organisation reference). */
export function organisationCode(o: { ukprn: string | null; organisationRef: string | null }): string {
  return o.ukprn ?? o.organisationRef ?? '?';
}

/** How messages and logs name an organisation: `10000001 (North College)`. */
export function organisationLabel(o: {
  ukprn: string | null;
  organisationRef: string | null;
  name: string;
}): string {
  return `${organisationCode(o)} (${o.name})`;
}

function pgErrorOf(e: unknown): { code?: string; constraint?: string } | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    const c = cur as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code))
      return { code: c.code, constraint: typeof c.constraint === 'string' ? c.constraint : undefined };
    cur = c.cause;
  }
  return undefined;
}

/** Turns constraint violations into plain words; anything else is rethrown unchanged. */
function explainWriteError(e: unknown, f: Partial<OrganisationFields>): never {
  const pgErr = pgErrorOf(e);
  const messages: Record<string, string> = {
    organisation_ukprn_key: `an organisation with UKPRN ${f.ukprn ?? ''} already exists (see \`lrs-relay orgs list\`)`,
    organisation_ref_key: `an organisation with reference ${f.organisationRef ?? ''} already exists (see \`lrs-relay orgs list\`)`,
    organisation_one_identifier: 'give exactly one of --ukprn or --org-ref',
    organisation_ukprn_format: 'UKPRN must be exactly 8 letters or digits',
    organisation_ref_format: 'organisation reference must be exactly 6 letters or digits',
    organisation_user_name: 'the default UserName must be 1–35 characters',
  };
  const message = pgErr?.constraint ? messages[pgErr.constraint] : undefined;
  if (message) throw new OrganisationError(ORG_ERROR_CODES.INVALID_INPUT, message, { cause: e });
  throw e;
}

export async function insertOrganisation(db: Db, f: OrganisationFields): Promise<OrganisationRecord> {
  try {
    return toRecord(await insertOrganisationRow(db, f));
  } catch (e) {
    return explainWriteError(e, f);
  }
}

export async function updateOrganisation(
  db: Db,
  id: number,
  f: Partial<OrganisationFields>,
): Promise<OrganisationRecord> {
  try {
    const row = await updateOrganisationRow(db, id, f);
    if (!row) throw new OrganisationError(ORG_ERROR_CODES.NOT_FOUND, `no organisation with id ${id}`);
    return toRecord(row);
  } catch (e) {
    if (e instanceof OrganisationError) throw e;
    return explainWriteError(e, f);
  }
}

export async function setOrganisationDisabled(
  db: Db,
  id: number,
  disabled: boolean,
  reason: string | null,
): Promise<OrganisationRecord> {
  const row = await updateOrganisationRow(db, id, {
    isDisabled: disabled,
    disabledReason: disabled ? reason : null,
  });
  if (!row) throw new OrganisationError(ORG_ERROR_CODES.NOT_FOUND, `no organisation with id ${id}`);
  return toRecord(row);
}

export async function getOrganisationById(db: Db, id: number): Promise<OrganisationRecord | undefined> {
  const row = await selectOrganisationById(db, id);
  return row ? toRecord(row) : undefined;
}

/** Finds an organisation by id, UKPRN or organisation reference (what people type). */
export async function findOrganisation(db: Db, key: string): Promise<OrganisationRecord> {
  const k = key.trim();
  const rows = await selectOrganisationsByKey(db, k, /^[0-9]{1,9}$/.test(k) ? Number(k) : undefined);
  // An 8-digit UKPRN wins over an id that happens to be the same number.
  const row = rows.find((r) => r.ukprn === k || r.organisationRef === k) ?? rows[0];
  if (!row) {
    throw new OrganisationError(
      ORG_ERROR_CODES.NOT_FOUND,
      `no organisation with id, UKPRN or reference "${k}" (see \`lrs-relay orgs list\`)`,
    );
  }
  return toRecord(row);
}

export async function listOrganisations(db: Db): Promise<OrganisationRecord[]> {
  return (await selectAllOrganisations(db)).map(toRecord);
}

/** Every organisation with a recorded certificate expiry (for the expiry gauge). */
export async function listCertificateExpiries(db: Db): Promise<{ organisation: string; notAfter: Date }[]> {
  const rows = await selectCertificateExpiries(db);
  return rows.flatMap((r) =>
    r.notAfter ? [{ organisation: organisationCode(r), notAfter: r.notAfter }] : [],
  );
}
