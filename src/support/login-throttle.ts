/**
 * Login throttling. Every attempt is counted before its password is checked, in one atomic upsert,
 * so N parallel guesses can never get more than the limit checked (reading a lock first and counting
 * failures after the slow hash let 20 parallel guesses through).
 *
 * Three counters, each over a fixed window:
 * - account at address (`account:<username>@<address>`, 5 per 15 minutes): bounds guessing one
 *   account from one place. It is keyed by the typed username whether or not the account exists, so
 *   an unknown user is counted, delayed and answered exactly like a real one. Because it includes the
 *   address, an attacker elsewhere cannot use it to lock the real person out.
 * - address (`address:<address>`, 30 per 15 minutes; an IPv6 address counts by its /64): bounds
 *   spraying many accounts from one place.
 * - global (`global`, 60 per minute): bounds what a distributed attacker can try against all accounts
 *   together. They can use it up, which delays logins for everyone until the minute ends, but they
 *   cannot single out a named person, and sessions already open keep working.
 * A successful login gives its attempt back to the address and global counters and clears its
 * account-at-address counter, so an office behind one address is not throttled by its own logins.
 * Keys are stored as SHA-256 only (no address or typed username in the clear); expired rows are
 * deleted as attempts come in.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { SupportDb } from '../db/pool.ts';
import { countThrottleAttempts, deleteExpiredThrottles, releaseThrottleAttempt } from '../db/staff.ts';

export interface LoginLimit {
  /** Attempts allowed per window. */
  max: number;
  /** Window length, ms. */
  windowMs: number;
}

export interface LoginLimits {
  accountAtAddress: LoginLimit;
  address: LoginLimit;
  global: LoginLimit;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  accountAtAddress: { max: 5, windowMs: 15 * 60_000 },
  address: { max: 30, windowMs: 15 * 60_000 },
  global: { max: 60, windowMs: 60_000 },
};

type Scope = keyof LoginLimits;

export type Reservation =
  | {
      ok: true;
      /** Attempts of this account at this address in the window, this one included (for the delay). */
      attempts: number;
      keys: Record<Scope, string>;
    }
  | { ok: false; scope: Scope; retryAfterS: number; attempts: number };

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The /64 network of an IPv6 address (one subscriber usually holds a whole /64). */
function ipv6Network(address: string): string {
  const a = address.split('%')[0] ?? '';
  const [head = '', tail] = a.split('::');
  const groups = (s: string) =>
    s === '' ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all =
    tail === undefined ? h : [...h, ...Array<string>(Math.max(8 - h.length - t.length, 0)).fill('0'), ...t];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** The address to throttle by: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function throttleAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  return isIP(address.split('%')[0] ?? '') === 6 ? ipv6Network(address.toLowerCase()) : address;
}

/**
 * Counts one login attempt against every limit, before the password is checked. `ok: false` names
 * the first limit reached; then no password may be checked.
 */
export async function reserveLoginAttempt(
  db: SupportDb,
  o: { username: string; address: string; limits: LoginLimits },
): Promise<Reservation> {
  const address = throttleAddress(o.address);
  const keys: Record<Scope, string> = {
    accountAtAddress: hashKey(`account:${o.username.toLowerCase()}@${address}`),
    address: hashKey(`address:${address}`),
    global: hashKey('global'),
  };
  const scopes = Object.keys(keys) as Scope[];
  const longest = Math.max(...scopes.map((s) => o.limits[s].windowMs));
  await deleteExpiredThrottles(db.pool, longest);
  // One statement for all three counters, always in the same key order (no deadlock between logins).
  const rows = await countThrottleAttempts(
    db.pool,
    scopes.map((s) => ({ keyHash: keys[s], windowMs: o.limits[s].windowMs })),
  );
  const byKey = new Map(rows.map((row) => [row.keyHash, row]));
  const accountAttempts = byKey.get(keys.accountAtAddress)?.attempts ?? 1;
  for (const scope of scopes) {
    const row = byKey.get(keys[scope]);
    if (row && row.attempts > o.limits[scope].max)
      return { ok: false, scope, retryAfterS: Math.max(row.retryAfterS, 1), attempts: accountAttempts };
  }
  return { ok: true, attempts: accountAttempts, keys };
}

/** After a successful login: clears the account-at-address counter and gives the attempt back to the others. */
export async function releaseLoginAttempt(db: SupportDb, keys: Record<Scope, string>): Promise<void> {
  await releaseThrottleAttempt(db.pool, {
    clear: keys.accountAtAddress,
    giveBack: [keys.address, keys.global],
  });
}
