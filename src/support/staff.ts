/** Staff accounts for the dashboard: create, list, grant organisations, reset passwords. */
import type { SupportDb } from '../db/pool.ts';
import { inTransaction } from '../db/transaction.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';

export interface StaffRow {
  id: number;
  username: string;
  isAdmin: boolean;
  lockedUntil: Date | null;
  /** When the account was disabled (it cannot log in), or null. */
  disabledAt: Date | null;
  failedLogins: number;
  organisations: string[];
  createdAt: Date;
}

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
  return inTransaction(db.pool, async (c) => {
    const r = await c.query<{ id: number }>(
      `insert into lrs.staff_user (username, password_hash, is_admin) values ($1, $2, $3)
       on conflict (username) do nothing returning id`,
      [o.username, hash, o.isAdmin ?? false],
    );
    const id = r.rows[0]?.id;
    if (id === undefined) throw new StaffError(`a staff account named ${o.username} already exists`);
    if (o.organisationIds?.length) {
      await c.query(
        'insert into lrs.staff_organisation (staff_user_id, organisation_id) select $1, unnest($2::int[]) on conflict do nothing',
        [id, [...o.organisationIds]],
      );
    }
    return id;
  });
}

export async function listStaff(db: SupportDb): Promise<StaffRow[]> {
  const r = await db.pool.query(
    `select u.id, u.username, u.is_admin as "isAdmin", u.locked_until as "lockedUntil", u.disabled_at as "disabledAt",
            u.failed_logins as "failedLogins",
            u.created_at as "createdAt",
            coalesce(array_agg(coalesce(o.ukprn, o.organisation_ref) || ' ' || o.name order by o.name)
                     filter (where o.id is not null), '{}') as organisations
       from lrs.staff_user u
       left join lrs.staff_organisation so on so.staff_user_id = u.id
       left join lrs.organisation o on o.id = so.organisation_id
      group by u.id order by u.username`,
  );
  return r.rows as StaffRow[];
}

async function staffId(db: SupportDb, username: string): Promise<number> {
  const r = await db.pool.query<{ id: number }>('select id from lrs.staff_user where username = $1', [
    username,
  ]);
  const id = r.rows[0]?.id;
  if (id === undefined) throw new StaffError(`no staff account named ${username}`);
  return id;
}

/** Lets a staff account see (and act on) the given organisations. Returns how many were new. */
export async function grantStaff(
  db: SupportDb,
  username: string,
  organisationIds: readonly number[],
): Promise<number> {
  const id = await staffId(db, username);
  const r = await db.pool.query(
    'insert into lrs.staff_organisation (staff_user_id, organisation_id) select $1, unnest($2::int[]) on conflict do nothing',
    [id, [...organisationIds]],
  );
  return r.rowCount ?? 0;
}

/** Takes organisations away from a staff account. Returns how many were removed. */
export async function revokeStaff(
  db: SupportDb,
  username: string,
  organisationIds: readonly number[],
): Promise<number> {
  const id = await staffId(db, username);
  const r = await db.pool.query(
    'delete from lrs.staff_organisation where staff_user_id = $1 and organisation_id = any($2::int[])',
    [id, [...organisationIds]],
  );
  return r.rowCount ?? 0;
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
  await db.pool.query(
    'update lrs.staff_user set password_hash = $2, failed_logins = 0, locked_until = null where id = $1',
    [id, hash],
  );
  await db.pool.query('delete from lrs.staff_session where staff_user_id = $1', [id]);
}

/** Changes to a staff account's standing that `lrs-relay staff` offers. */
export const STAFF_CHANGES = ['disable', 'enable', 'remove', 'demote', 'promote'] as const;
export type StaffChange = (typeof STAFF_CHANGES)[number];

const CHANGE_SQL: Record<StaffChange, string> = {
  disable: 'update lrs.staff_user set disabled_at = now() where id = $1 and disabled_at is null',
  enable: 'update lrs.staff_user set disabled_at = null where id = $1 and disabled_at is not null',
  remove: 'delete from lrs.staff_user where id = $1',
  demote: 'update lrs.staff_user set is_admin = false where id = $1 and is_admin',
  promote: 'update lrs.staff_user set is_admin = true where id = $1 and not is_admin',
};

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
  const id = await staffId(db, o.username);
  return inTransaction(db.pool, async (c) => {
    if (o.change === 'disable' || o.change === 'remove')
      await c.query('delete from lrs.staff_session where staff_user_id = $1', [id]);
    const r = await c.query(CHANGE_SQL[o.change], [id]);
    if ((r.rowCount ?? 0) === 0) return false;
    await c.query('insert into lrs.staff_audit (user_name, operation, staff_username) values ($1, $2, $3)', [
      o.actorName,
      `staff.${o.change}`,
      o.username,
    ]);
    return true;
  });
}
