/**
 * Whether each organisation can send, for the dashboard's organisations page: its credentials and
 * certificate as the relay would load them (the process's organisation directory, when it has one), the
 * certificate's days left, its last answered LRS call, its error rate and its open and failed work.
 */
import { daysUntilExpiry } from '../orgs/certificates.ts';
import { OrganisationError } from '../orgs/errors.ts';
import type { SupportDb } from '../db/pool.ts';
import { selectOrganisationHealth, type OrganisationHealthRow } from '../db/support-reads.ts';
import { DEFAULT_RETRY_POLICY } from '../codes/retry-policy.ts';
import { explainCode } from '../codes/table.ts';
import { scopeOrganisations, type Actor } from './access.ts';

/** Loads an organisation's credentials as the workers do; throws OrganisationError when they cannot be used. */
export type OrganisationCheck = (
  organisationId: number,
) => Promise<{ certificate?: { notAfter: Date } | null | undefined }>;

export const ORGANISATION_STATES = {
  can_send: 'Can send',
  paused: 'Paused: LRS maintenance',
  disabled: 'Disabled',
  broken: 'Broken',
} as const;

export interface OrganisationHealth extends OrganisationHealthRow {
  state: keyof typeof ORGANISATION_STATES;
  /** Why it is disabled or broken, or a warning (certificate renewal) while it can still send. */
  why: string | null;
  certificateDaysLeft: number | null;
}

/**
 * Why the organisation's queue is paused now, or null: its latest LRS call met the LRS in maintenance or
 * out of its hours, and that pause (the retry policy's, per error class) has not run out yet. The workers
 * try again by themselves after it; a call that gets through ends it.
 */
function pausedBy(row: OrganisationHealthRow, now: Date): string | null {
  if (!row.lastCallAt || !row.lastCallCode) return null;
  const entry = explainCode(row.lastCallCode);
  if (entry.errorClass === 'none') return null;
  const pauseMs = DEFAULT_RETRY_POLICY[entry.errorClass].pauseQueueMs;
  if (pauseMs === undefined) return null;
  const until = row.lastCallAt.getTime() + pauseMs;
  if (until <= now.getTime()) return null;
  const minutes = Math.max(1, Math.ceil((until - now.getTime()) / 60_000));
  const what =
    entry.errorClass === 'out_of_hours' ? 'is outside its service hours' : 'is down for maintenance';
  return `The LRS ${what} (${row.lastCallCode} at ${row.lastCallAt.toISOString().slice(11, 16)} UTC): its work waits and is tried again by itself in about ${minutes} minute${minutes === 1 ? '' : 's'}. Nothing to do.`;
}

/** How recent a failure for want of usable credentials must be to call the organisation broken, ms. */
const RECENT_UNAVAILABLE_MS = 60 * 60 * 1000;

export async function listOrganisationHealth(
  db: SupportDb,
  actor: Actor,
  o: { check?: OrganisationCheck | undefined; warningDays: number; now: Date },
): Promise<OrganisationHealth[]> {
  const rows = await selectOrganisationHealth(db.pool, scopeOrganisations(actor));
  return Promise.all(
    rows.map(async (row): Promise<OrganisationHealth> => {
      let notAfter = row.certificateNotAfter;
      let failure: OrganisationError | null = null;
      if (o.check && !row.isDisabled) {
        try {
          // The certificate as loaded now: the stored date is only what the last load found.
          notAfter = (await o.check(row.id)).certificate?.notAfter ?? notAfter;
        } catch (e) {
          if (!(e instanceof OrganisationError)) throw e;
          failure = e;
        }
      }
      const days = notAfter ? daysUntilExpiry(notAfter, o.now) : null;
      const base = { ...row, certificateNotAfter: notAfter, certificateDaysLeft: days };
      if (row.isDisabled)
        return { ...base, state: 'disabled', why: row.disabledReason ?? 'Disabled by an administrator.' };
      if (failure) return { ...base, state: 'broken', why: `${failure.code}: ${failure.message}` };
      if (days !== null && days < 0)
        return {
          ...base,
          state: 'broken',
          why: 'Its client certificate has expired: nothing it sends is accepted.',
        };
      if (
        !o.check &&
        row.lastUnavailableAt &&
        o.now.getTime() - row.lastUnavailableAt.getTime() < RECENT_UNAVAILABLE_MS
      )
        return {
          ...base,
          state: 'broken',
          why: 'Its requests failed with ORGANISATION_UNAVAILABLE in the last hour: its credentials could not be loaded.',
        };
      const pause = pausedBy(row, o.now);
      if (pause) return { ...base, state: 'paused', why: pause };
      const renew =
        days !== null && days < o.warningDays
          ? `Its certificate expires in ${days} day${days === 1 ? '' : 's'}: ask the LRS service desk for a new one.`
          : null;
      return { ...base, state: 'can_send', why: renew };
    }),
  );
}
