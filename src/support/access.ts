import { mayQuoteLrsText } from '../codes/table.ts';
import { canSeePersonalData, type PersonalDataReader } from '../personal-data.ts';

export { canSeePersonalData };

/**
 * Who is acting and what they may see. Staff see requests of their organisations only; admins see
 * every organisation's requests but personal data only of organisations they belong to (the vendor
 * support desk needs codes, not names). The CLI runs with database credentials and sees everything.
 */

export interface Actor extends PersonalDataReader {
  isAdmin: boolean;
  /** Organisations whose requests this actor may see and act on; null = every organisation. */
  organisationIds: readonly number[] | null;
}

/** An actor for the command line: full access, named after the operating-system user. */
export function createCliActor(userName: string): Actor {
  return {
    name: `cli:${userName}`.slice(0, 64),
    isAdmin: true,
    organisationIds: null,
    personalDataOrganisationIds: null,
  };
}

/** An actor for a logged-in staff account. */
export function createStaffActor(o: {
  username: string;
  isAdmin: boolean;
  memberOf: readonly number[];
}): Actor {
  return {
    name: o.username,
    isAdmin: o.isAdmin,
    organisationIds: o.isAdmin ? null : [...o.memberOf],
    personalDataOrganisationIds: [...o.memberOf],
  };
}

/** Whether the actor may look learners up (by ULN, MIS id or name) in at least one organisation. */
export function canSearchLearners(actor: Actor): boolean {
  return actor.personalDataOrganisationIds === null || actor.personalDataOrganisationIds.length > 0;
}

export function canSeeOrganisation(actor: Actor, organisationId: number): boolean {
  return actor.organisationIds === null || actor.organisationIds.includes(organisationId);
}

/**
 * Whether the actor may read the text stored with a code (a request's last error, an outcome's
 * description, a batch's last error). Text from the LRS may quote the learner in any wording, so it
 * follows the payload's rule (canSeePersonalData); our own text is shown to anyone who sees the request.
 */
export function canSeeStoredText(
  actor: Actor,
  organisationId: number,
  code: string | null | undefined,
): boolean {
  return canSeePersonalData(actor, organisationId) || !mayQuoteLrsText(code);
}

/** What staff read where the LRS's own text was withheld from them (CLI and dashboard say the same). */
export const LRS_TEXT_HIDDEN =
  "The LRS's own text is hidden: it may quote the learner's personal data, which you may not see for this organisation. The code and its meaning are shown instead.";

/**
 * The organisation ids a query may touch: the actor's scope narrowed by an optional filter.
 * null = no restriction. An empty array matches nothing (SQL `= any('{}')` is false).
 */
export function scopeOrganisations(actor: Actor, filter?: readonly number[] | null): number[] | null {
  if (filter === undefined || filter === null)
    return actor.organisationIds === null ? null : [...actor.organisationIds];
  if (actor.organisationIds === null) return [...filter];
  const allowed = actor.organisationIds;
  return filter.filter((id) => allowed.includes(id));
}
