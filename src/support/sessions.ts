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
  clearFailedLogins,
  countFailedLogin,
  deleteSession,
  insertSession,
  selectLoginAccount,
  selectSession,
  type SessionRow,
} from '../db/staff.ts';
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

export type StaffSession = SessionRow;

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
  const user = await selectLoginAccount(db.pool, username);
  // Verify even for unknown users so the answer takes as long either way.
  const isMatch = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || user.isDisabled || !isMatch) {
    if (user && !isMatch) await countFailedLogin(db.pool, user.id);
    return { ok: false, reason: 'invalid', attempts: reservation.attempts };
  }
  await releaseLoginAttempt(db, reservation);
  await clearFailedLogins(db.pool, user.id);
  const token = randomBytes(32).toString('base64url');
  // The new session, then every expired one and every one beyond the cap (oldest first) ends.
  await insertSession(db.pool, {
    tokenHash: hashToken(token),
    staffUserId: user.id,
    csrfToken: randomBytes(24).toString('base64url'),
    expiresAt: new Date(Date.now() + (o.ttlMs ?? SESSION_TTL_MS)),
    maxSessions: Math.max(o.maxSessions ?? MAX_SESSIONS_PER_USER, 1),
  });
  const session = await findSession(db, token);
  if (!session) throw new Error('session vanished right after it was created');
  return { ok: true, token, session };
}

/** The live session for a cookie token, or null. */
export async function findSession(db: SupportDb, token: string | undefined): Promise<StaffSession | null> {
  if (!token || token.length > 200) return null;
  return (await selectSession(db.pool, hashToken(token))) ?? null;
}

export async function endSession(db: SupportDb, token: string | undefined): Promise<void> {
  if (!token) return;
  await deleteSession(db.pool, hashToken(token));
}
