/**
 * Staff login and sessions. The session token lives only in the browser's cookie; Postgres keeps its
 * SHA-256, so a database leak does not hand out live sessions. Attempts are throttled per account
 * at an address, per address and globally before any password is checked (login-throttle.ts); an
 * unknown or disabled user is answered exactly like a wrong password, after a hash of the same cost.
 * Each account holds at most MAX_SESSIONS_PER_USER sessions (the oldest is ended).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SupportDb } from '../db/pool.ts';
import {
  DEFAULT_LOGIN_LIMITS,
  releaseLoginAttempt,
  reserveLoginAttempt,
  type LoginLimits,
} from './login-throttle.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './passwords.ts';

/** Default session lifetime, ms (8 hours: one working day). */
export const SESSION_TTL_MS = 8 * 3600_000;
/** Sessions one account may hold at once; a new login ends the oldest beyond this. */
export const MAX_SESSIONS_PER_USER = 5;

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
  /** Wrong password, unknown user or disabled account: deliberately one answer. */
  | { ok: false; reason: 'invalid'; attempts: number }
  | { ok: false; reason: 'throttled'; attempts: number; retryAfterS: number };

export interface LogInOptions {
  /** Session lifetime, ms (default SESSION_TTL_MS). */
  ttlMs?: number;
  /** The client's address, for throttling (default "unknown": one shared bucket). */
  address?: string;
  limits?: LoginLimits;
  /** Default MAX_SESSIONS_PER_USER. */
  maxSessions?: number;
}

/** Checks a username and password (after reserving the attempt); on success opens a session. */
export async function logIn(
  db: SupportDb,
  username: string,
  password: string,
  o: LogInOptions = {},
): Promise<LoginResult> {
  const reservation = await reserveLoginAttempt(db, {
    username,
    address: o.address ?? 'unknown',
    limits: o.limits ?? DEFAULT_LOGIN_LIMITS,
  });
  if (!reservation.ok)
    return {
      ok: false,
      reason: 'throttled',
      attempts: reservation.attempts,
      retryAfterS: reservation.retryAfterS,
    };
  const r = await db.pool.query<{ id: number; password_hash: string; is_disabled: boolean }>(
    `select id, password_hash, disabled_at is not null as is_disabled from lrs.staff_user where username = $1`,
    [username],
  );
  const user = r.rows[0];
  // Verify even for unknown users so the answer takes as long either way.
  const isMatch = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!user || user.is_disabled || !isMatch) {
    // Shown to admins in `staff list`; it no longer locks anything.
    if (user && !isMatch)
      await db.pool.query('update lrs.staff_user set failed_logins = failed_logins + 1 where id = $1', [
        user.id,
      ]);
    return { ok: false, reason: 'invalid', attempts: reservation.attempts };
  }
  await releaseLoginAttempt(db, reservation.keys);
  await db.pool.query('update lrs.staff_user set failed_logins = 0, locked_until = null where id = $1', [
    user.id,
  ]);
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + (o.ttlMs ?? SESSION_TTL_MS));
  // The new session, then every expired one and every one beyond the cap (oldest first) ends.
  await db.pool.query(
    'insert into lrs.staff_session (token_hash, staff_user_id, csrf_token, expires_at) values ($1, $2, $3, $4)',
    [hashToken(token), user.id, csrfToken, expiresAt],
  );
  await db.pool.query(
    `delete from lrs.staff_session where staff_user_id = $1 and token_hash <> $2
        and (expires_at < now() or token_hash not in (
              select token_hash from lrs.staff_session where staff_user_id = $1
               order by created_at desc, expires_at desc limit $3))`,
    [user.id, hashToken(token), Math.max(o.maxSessions ?? MAX_SESSIONS_PER_USER, 1)],
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
      where s.token_hash = $1 and s.expires_at > now() and u.disabled_at is null`,
    [hashToken(token)],
  );
  return (r.rows[0] as StaffSession | undefined) ?? null;
}

export async function endSession(db: SupportDb, token: string | undefined): Promise<void> {
  if (!token) return;
  await db.pool.query('delete from lrs.staff_session where token_hash = $1', [hashToken(token)]);
}
