/**
 * Staff login and sessions. The session token lives only in the browser's cookie; Postgres keeps its
 * SHA-256, so a database leak does not hand out live sessions. Failed logins are counted per account:
 * each failure is answered more slowly, and after MAX_FAILED_LOGINS the account locks for a while.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SupportDb } from '../db/pool.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './passwords.ts';

export const MAX_FAILED_LOGINS = 5;
/** How long an account stays locked after MAX_FAILED_LOGINS failures, ms. */
export const LOCK_MS = 15 * 60_000;
/** Default session lifetime, ms (8 hours: one working day). */
export const SESSION_TTL_MS = 8 * 3600_000;

export interface StaffSession {
  staffUserId: number;
  username: string;
  isAdmin: boolean;
  memberOf: number[];
  csrfToken: string;
  expiresAt: Date;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two secrets in constant time. */
export function isSameSecret(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** How long to hold back the answer to a failed login: doubles per failure, from `baseMs`, at most 5 s. */
export function failedLoginDelayMs(failedLogins: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(failedLogins - 1, 0), 5_000);
}

export type LoginResult =
  | { ok: true; token: string; session: StaffSession }
  | { ok: false; reason: 'invalid' | 'locked'; failedLogins: number };

/** Checks a username and password; on success opens a session. */
export async function logIn(
  db: SupportDb,
  username: string,
  password: string,
  o: { ttlMs?: number } = {},
): Promise<LoginResult> {
  const r = await db.pool.query<{
    id: number;
    password_hash: string;
    failed_logins: number;
    is_locked: boolean;
  }>(
    `select id, password_hash, failed_logins, coalesce(locked_until > now(), false) as is_locked
       from lrs.staff_user where username = $1`,
    [username],
  );
  const user = r.rows[0];
  // Verify even for unknown users so the answer takes as long either way.
  const isMatch = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!user) return { ok: false, reason: 'invalid', failedLogins: 1 };
  if (user.is_locked) return { ok: false, reason: 'locked', failedLogins: user.failed_logins };
  if (!isMatch) {
    const u = await db.pool.query<{ failed_logins: number; is_locked: boolean }>(
      `update lrs.staff_user
          set failed_logins = failed_logins + 1,
              locked_until = case when failed_logins + 1 >= $2 then now() + $3 * interval '1 millisecond' else locked_until end
        where id = $1 returning failed_logins, coalesce(locked_until > now(), false) as is_locked`,
      [user.id, MAX_FAILED_LOGINS, LOCK_MS],
    );
    const row = u.rows[0];
    return {
      ok: false,
      reason: row?.is_locked ? 'locked' : 'invalid',
      failedLogins: row?.failed_logins ?? 1,
    };
  }
  await db.pool.query('update lrs.staff_user set failed_logins = 0, locked_until = null where id = $1', [
    user.id,
  ]);
  await db.pool.query('delete from lrs.staff_session where staff_user_id = $1 and expires_at < now()', [
    user.id,
  ]);
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + (o.ttlMs ?? SESSION_TTL_MS));
  await db.pool.query(
    'insert into lrs.staff_session (token_hash, staff_user_id, csrf_token, expires_at) values ($1, $2, $3, $4)',
    [hashToken(token), user.id, csrfToken, expiresAt],
  );
  const session = await findSession(db, token);
  if (!session) throw new Error('session vanished right after it was created');
  return { ok: true, token, session };
}

/** The live session for a cookie token, or null. */
export async function findSession(db: SupportDb, token: string | undefined): Promise<StaffSession | null> {
  if (!token || token.length > 200) return null;
  const r = await db.pool.query(
    `select s.staff_user_id as "staffUserId", u.username, u.is_admin as "isAdmin", s.csrf_token as "csrfToken",
            s.expires_at as "expiresAt",
            coalesce((select array_agg(organisation_id order by organisation_id) from lrs.staff_organisation
                       where staff_user_id = u.id), '{}') as "memberOf"
       from lrs.staff_session s join lrs.staff_user u on u.id = s.staff_user_id
      where s.token_hash = $1 and s.expires_at > now()`,
    [hashToken(token)],
  );
  return (r.rows[0] as StaffSession | undefined) ?? null;
}

export async function endSession(db: SupportDb, token: string | undefined): Promise<void> {
  if (!token) return;
  await db.pool.query('delete from lrs.staff_session where token_hash = $1', [hashToken(token)]);
}
