/** Staff accounts for the dashboard: create, list, grant organisations, reset passwords. */
import type { SupportDb } from '../db/pool.ts';
import {
  changeStaffStanding,
  grantOrganisations,
  insertStaffUser,
  revokeOrganisations,
  selectStaffId,
  selectStaffRows,
  updateStaffPassword,
  type STAFF_CHANGE_SQL,
  type StaffRow,
} from '../db/staff.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';

export type { StaffRow };

const USERNAME = /^[A-Za-z0-9._@-]{2,64}$/;

export class StaffError extends Error {
  override readonly name = 'StaffError';
}

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) throw new StaffError('a username is 2–64 letters, digits or . _ @ -');
}

function checkPassword(password: string): void {
  const problem = checkPasswordStrength(password);
  if (problem) throw new StaffError(problem);
}

/** Creates a staff account and grants it the given organisations. `cost` is for tests (scrypt N). */
export async function addStaff(
  db: SupportDb,
  o: {
    username: string;
    password: string;
    isAdmin?: boolean;
    organisationIds?: readonly number[];
    cost?: number;
  },
): Promise<number> {
  checkUsername(o.username);
  checkPassword(o.password);
  const hash = await hashPassword(o.password, o.cost === undefined ? {} : { cost: o.cost });
  const id = await insertStaffUser(db.pool, {
    username: o.username,
    passwordHash: hash,
    isAdmin: o.isAdmin ?? false,
    organisationIds: o.organisationIds ?? [],
  });
  if (id === undefined) throw new StaffError(`a staff account named ${o.username} already exists`);
  return id;
}

export async function listStaff(db: SupportDb): Promise<StaffRow[]> {
  return selectStaffRows(db.pool);
}

async function staffId(db: SupportDb, username: string): Promise<number> {
  const id = await selectStaffId(db.pool, username);
  if (id === undefined) throw new StaffError(`no staff account named ${username}`);
  return id;
}

/** Lets a staff account see (and act on) the given organisations. Returns how many were new. */
export async function grantStaff(
  db: SupportDb,
  username: string,
  organisationIds: readonly number[],
): Promise<number> {
  return grantOrganisations(db.pool, await staffId(db, username), organisationIds);
}

/** Takes organisations away from a staff account. Returns how many were removed. */
export async function revokeStaff(
  db: SupportDb,
  username: string,
  organisationIds: readonly number[],
): Promise<number> {
  return revokeOrganisations(db.pool, await staffId(db, username), organisationIds);
}

/** Sets a new password, unlocks the account and ends its sessions. */
export async function setStaffPassword(
  db: SupportDb,
  username: string,
  password: string,
  o: { cost?: number } = {},
): Promise<void> {
  checkPassword(password);
  const id = await staffId(db, username);
  const hash = await hashPassword(password, o.cost === undefined ? {} : { cost: o.cost });
  await updateStaffPassword(db.pool, id, hash);
}

/** Changes to a staff account's standing that `lrs-relay staff` offers. */
export const STAFF_CHANGES = [
  'disable',
  'enable',
  'remove',
  'demote',
  'promote',
] as const satisfies readonly (keyof typeof STAFF_CHANGE_SQL)[];
export type StaffChange = (typeof STAFF_CHANGES)[number];

/**
 * Disables, enables, removes, demotes or promotes a staff account, in one transaction with a row in
 * lrs.staff_audit naming who did it. A disabled or removed account's sessions are deleted, and every
 * request reads the account's standing afresh, so each change takes effect on the account's next
 * request. Returns false when there was nothing to change (already disabled, not an admin, …).
 */
export async function changeStaff(
  db: SupportDb,
  o: { username: string; change: StaffChange; actorName: string },
): Promise<boolean> {
  return changeStaffStanding(db.pool, {
    staffUserId: await staffId(db, o.username),
    change: o.change,
    endSessions: o.change === 'disable' || o.change === 'remove',
    actorName: o.actorName,
    username: o.username,
  });
}
