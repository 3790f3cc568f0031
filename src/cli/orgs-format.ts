/**
 * How `orgs list` and `orgs show` present organisations: a table for people, JSON for scripts.
 * Secrets appear only as the *kind and name* of their reference (`env:LRS_PASSWORD_A`,
 * `file:/run/secrets/x`, `stored encrypted`) — never a value, never ciphertext.
 */
import { formatTable, terminalText } from './kit.ts';
import { daysUntilExpiry, describeCertificateRef } from '../orgs/certificates.ts';
import { describeSecretRef } from '../orgs/secrets.ts';
import { organisationCode, type OrganisationRecord } from '../orgs/store.ts';

/** A secret-free view of one organisation (what `--json` prints). */
export function presentOrganisation(r: OrganisationRecord, now: Date = new Date()): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    ukprn: r.ukprn,
    organisationRef: r.organisationRef,
    vendorId: r.vendorId,
    password: r.passwordRef ? describeSecretRef(r.passwordRef) : 'invalid reference',
    certificate:
      r.certificateRef === null
        ? null
        : r.certificateRef
          ? describeCertificateRef(r.certificateRef)
          : 'invalid reference',
    certificateNotAfter: r.certificateNotAfter?.toISOString() ?? null,
    certificateDaysLeft: r.certificateNotAfter ? daysUntilExpiry(r.certificateNotAfter, now) : null,
    defaultUserName: r.defaultUserName,
    concurrencyShare: r.concurrencyShare,
    rateLimitPerSecond: r.rateLimitPerSecond,
    status: r.isDisabled ? 'disabled' : 'enabled',
    disabledReason: r.disabledReason,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function certificateCell(r: OrganisationRecord, warningDays: number, now: Date): string {
  if (r.certificateRef === null) return 'none';
  if (!r.certificateNotAfter) return 'not checked';
  const days = daysUntilExpiry(r.certificateNotAfter, now);
  if (days < 0) return `EXPIRED ${r.certificateNotAfter.toISOString().slice(0, 10)}`;
  return `${days} days${days < warningDays ? ' (renew!)' : ''}`;
}

export function formatOrganisationList(
  records: OrganisationRecord[],
  warningDays: number,
  now: Date = new Date(),
): string {
  if (records.length === 0) return 'No organisations yet. Add one with `lrs-relay orgs add --help`.';
  // Names and disabled reasons are shown whole (no width limit).
  return formatTable(
    records,
    [
      ['ID', (r) => r.id],
      ['UKPRN/REF', (r) => organisationCode(r)],
      ['NAME', (r) => r.name],
      ['USER', (r) => r.defaultUserName],
      ['SHARE', (r) => r.concurrencyShare],
      ['RATE/S', (r) => r.rateLimitPerSecond ?? 'global'],
      ['PASSWORD', (r) => (r.passwordRef ? describeSecretRef(r.passwordRef) : 'INVALID')],
      ['CERTIFICATE', (r) => certificateCell(r, warningDays, now)],
      ['STATUS', (r) => (r.isDisabled ? `disabled: ${r.disabledReason ?? ''}` : 'enabled')],
    ],
    Infinity,
  ).join('\n');
}

export function formatOrganisation(
  r: OrganisationRecord,
  warningDays: number,
  now: Date = new Date(),
): string {
  const p = presentOrganisation(r, now);
  const rows: [string, string][] = [
    ['Id', String(r.id)],
    ['Name', r.name],
    [r.ukprn ? 'UKPRN' : 'Organisation ref', organisationCode(r)],
    ['Vendor id', String(r.vendorId)],
    ['Password', String(p.password)],
    ['Certificate', String(p.certificate ?? 'none')],
    [
      'Certificate expiry',
      r.certificateNotAfter
        ? `${r.certificateNotAfter.toISOString()} (${certificateCell(r, warningDays, now)})`
        : certificateCell(r, warningDays, now),
    ],
    ['Default UserName', r.defaultUserName],
    ['Concurrency share', String(r.concurrencyShare)],
    [
      'Rate limit',
      r.rateLimitPerSecond === null ? 'global RATE_LIMIT_PER_SECOND' : `${r.rateLimitPerSecond}/s`,
    ],
    ['Status', r.isDisabled ? `disabled: ${r.disabledReason ?? 'no reason given'}` : 'enabled'],
    ['Updated', r.updatedAt.toISOString()],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${terminalText(v)}`).join('\n');
}
