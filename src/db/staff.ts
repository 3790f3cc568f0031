/**
 * The SQL of staff accounts, their sessions and login throttling (lrs.staff_user, lrs.staff_organisation,
 * lrs.staff_session, lrs.staff_audit, lrs.login_throttle), one function per statement. What they mean —
 * password checks, throttling rules, the session cap — lives in src/support/ (staff.ts, sessions.ts,
 * login-throttle.ts).
 */
import type { Queryable } from './transaction.ts';
import { inTransaction } from './transaction.ts';
import type pg from 'pg';

/** A staff account as the CLI lists it. */
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

/** A live session with its account's standing, as every dashboard request reads it. */
export interface SessionRow {
  staffUserId: number;
  username: string;
  isAdmin: boolean;
  memberOf: number[];
  csrfToken: string;
  expiresAt: Date;
}

/** Inserts an account with its organisations, in one transaction; undefined when the name is taken. */
export async function insertStaffUser(
  pool: pg.Pool,
  o: { username: string; passwordHash: string; isAdmin: boolean; organisationIds: readonly number[] },
): Promise<number | undefined> {
  return inTransaction(pool, async (c) => {
    const r = await c.query<{ id: number }>(
      `insert into lrs.staff_user (username, password_hash, is_admin) values ($1, $2, $3)
       on conflict (username) do nothing returning id`,
      [o.username, o.passwordHash, o.isAdmin],
    );
    const id = r.rows[0]?.id;
    if (id !== undefined && o.organisationIds.length > 0) await grantOrganisations(c, id, o.organisationIds);
    return id;
  });
}

export async function selectStaffRows(db: Queryable): Promise<StaffRow[]> {
  const r = await db.query(
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

export async function selectStaffId(db: Queryable, username: string): Promise<number | undefined> {
  const r = await db.query<{ id: number }>('select id from lrs.staff_user where username = $1', [username]);
  return r.rows[0]?.id;
}

/** Grants organisations to an account; returns how many were new. */
export async function grantOrganisations(
  db: Queryable,
  staffUserId: number,
  organisationIds: readonly number[],
): Promise<number> {
  const r = await db.query(
    'insert into lrs.staff_organisation (staff_user_id, organisation_id) select $1, unnest($2::int[]) on conflict do nothing',
    [staffUserId, [...organisationIds]],
  );
  return r.rowCount ?? 0;
}

/** Takes organisations away from an account; returns how many were removed. */
export async function revokeOrganisations(
  db: Queryable,
  staffUserId: number,
  organisationIds: readonly number[],
): Promise<number> {
  const r = await db.query(
    'delete from lrs.staff_organisation where staff_user_id = $1 and organisation_id = any($2::int[])',
    [staffUserId, [...organisationIds]],
  );
  return r.rowCount ?? 0;
}

/** Sets a new password hash, clears the failure count and ends every session, in one transaction. */
export async function updateStaffPassword(
  pool: pg.Pool,
  staffUserId: number,
  passwordHash: string,
): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query(
      'update lrs.staff_user set password_hash = $2, failed_logins = 0, locked_until = null where id = $1',
      [staffUserId, passwordHash],
    );
    await deleteSessionsOf(c, staffUserId);
  });
}

/** The statement of each change to an account's standing; each changes no row when there is nothing to change. */
export const STAFF_CHANGE_SQL = {
  disable: 'update lrs.staff_user set disabled_at = now() where id = $1 and disabled_at is null',
  enable: 'update lrs.staff_user set disabled_at = null where id = $1 and disabled_at is not null',
  remove: 'delete from lrs.staff_user where id = $1',
  demote: 'update lrs.staff_user set is_admin = false where id = $1 and is_admin',
  promote: 'update lrs.staff_user set is_admin = true where id = $1 and not is_admin',
} as const;

/**
 * Applies one change with its lrs.staff_audit row in one transaction, ending the account's sessions
 * first when `endSessions`. False when there was nothing to change (then nothing is written).
 */
export async function changeStaffStanding(
  pool: pg.Pool,
  o: {
    staffUserId: number;
    change: keyof typeof STAFF_CHANGE_SQL;
    endSessions: boolean;
    actorName: string;
    username: string;
  },
): Promise<boolean> {
  return inTransaction(pool, async (c) => {
    if (o.endSessions) await deleteSessionsOf(c, o.staffUserId);
    const r = await c.query(STAFF_CHANGE_SQL[o.change], [o.staffUserId]);
    if ((r.rowCount ?? 0) === 0) return false;
    await c.query('insert into lrs.staff_audit (user_name, operation, staff_username) values ($1, $2, $3)', [
      o.actorName,
      `staff.${o.change}`,
      o.username,
    ]);
    return true;
  });
}

/** What a login checks of an account. */
export async function selectLoginAccount(
  db: Queryable,
  username: string,
): Promise<{ id: number; passwordHash: string; isDisabled: boolean } | undefined> {
  const r = await db.query<{ id: number; passwordHash: string; isDisabled: boolean }>(
    `select id, password_hash as "passwordHash", disabled_at is not null as "isDisabled"
       from lrs.staff_user where username = $1`,
    [username],
  );
  return r.rows[0];
}

/** Counts a wrong password (shown to admins in `staff list`; it locks nothing). */
export async function countFailedLogin(db: Queryable, staffUserId: number): Promise<void> {
  await db.query('update lrs.staff_user set failed_logins = failed_logins + 1 where id = $1', [staffUserId]);
}

export async function clearFailedLogins(db: Queryable, staffUserId: number): Promise<void> {
  await db.query('update lrs.staff_user set failed_logins = 0, locked_until = null where id = $1', [
    staffUserId,
  ]);
}

/**
 * Opens a session, then ends the account's expired sessions and every one beyond `maxSessions` (oldest
 * first), in one transaction.
 */
export async function insertSession(
  pool: pg.Pool,
  o: { tokenHash: string; staffUserId: number; csrfToken: string; expiresAt: Date; maxSessions: number },
): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query(
      'insert into lrs.staff_session (token_hash, staff_user_id, csrf_token, expires_at) values ($1, $2, $3, $4)',
      [o.tokenHash, o.staffUserId, o.csrfToken, o.expiresAt],
    );
    await c.query(
      `delete from lrs.staff_session where staff_user_id = $1 and token_hash <> $2
          and (expires_at < now() or token_hash not in (
                select token_hash from lrs.staff_session where staff_user_id = $1
                 order by created_at desc, expires_at desc limit $3))`,
      [o.staffUserId, o.tokenHash, o.maxSessions],
    );
  });
}

/** The live session of a token hash, if its account is not disabled. */
export async function selectSession(db: Queryable, tokenHash: string): Promise<SessionRow | undefined> {
  const r = await db.query(
    `select s.staff_user_id as "staffUserId", u.username, u.is_admin as "isAdmin", s.csrf_token as "csrfToken",
            s.expires_at as "expiresAt",
            coalesce((select array_agg(organisation_id order by organisation_id) from lrs.staff_organisation
                       where staff_user_id = u.id), '{}') as "memberOf"
       from lrs.staff_session s join lrs.staff_user u on u.id = s.staff_user_id
      where s.token_hash = $1 and s.expires_at > now() and u.disabled_at is null`,
    [tokenHash],
  );
  return r.rows[0] as SessionRow | undefined;
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('delete from lrs.staff_session where token_hash = $1', [tokenHash]);
}

export async function deleteSessionsOf(db: Queryable, staffUserId: number): Promise<void> {
  await db.query('delete from lrs.staff_session where staff_user_id = $1', [staffUserId]);
}

/** Deletes the counters whose window started more than $1 ms ago, through login_throttle_window_idx. */
export const DELETE_EXPIRED_THROTTLES_SQL = `delete from lrs.login_throttle where window_start < now() - $1 * interval '1 millisecond'`;

/** Deletes throttle counters whose window started more than `olderThanMs` ago. */
export async function deleteExpiredThrottles(db: Queryable, olderThanMs: number): Promise<void> {
  await db.query(DELETE_EXPIRED_THROTTLES_SQL, [olderThanMs]);
}

/**
 * Counts one attempt on each key in one statement (a key whose window has ended starts a new one),
 * always in the same key order so concurrent logins cannot deadlock. Returns each key's count and the
 * seconds until its window ends.
 */
export async function countThrottleAttempts(
  db: Queryable,
  counters: readonly { keyHash: string; windowMs: number }[],
): Promise<{ keyHash: string; attempts: number; retryAfterS: number }[]> {
  const r = await db.query<{ keyHash: string; attempts: number; retryAfterS: number }>(
    `with k (key_hash, window_ms) as (select * from unnest($1::text[], $2::int[]))
     insert into lrs.login_throttle as t (key_hash, window_start, attempts)
     select key_hash, now(), 1 from k
     on conflict (key_hash) do update set
       attempts = case when t.window_start <= now() - (select window_ms from k where k.key_hash = t.key_hash)
                                                      * interval '1 millisecond'
                       then 1 else t.attempts + 1 end,
       window_start = case when t.window_start <= now() - (select window_ms from k where k.key_hash = t.key_hash)
                                                          * interval '1 millisecond'
                           then now() else t.window_start end
     returning key_hash as "keyHash", attempts,
       ceil(extract(epoch from window_start - now()) + (select window_ms from k where k.key_hash = t.key_hash) / 1000.0)::int
         as "retryAfterS"`,
    [counters.map((k) => k.keyHash), counters.map((k) => k.windowMs)],
  );
  return r.rows;
}

/** Deletes one counter and gives one attempt back to the others (after a successful login). */
export async function releaseThrottleAttempt(
  db: Queryable,
  o: { clear: string; giveBack: readonly string[] },
): Promise<void> {
  await db.query(
    `with cleared as (delete from lrs.login_throttle where key_hash = $1)
     update lrs.login_throttle set attempts = greatest(attempts - 1, 0) where key_hash = any($2::text[])`,
    [o.clear, [...o.giveBack]],
  );
}
