/**
 * Login throttling. Every attempt is counted before its password is checked, in atomic upserts, so N
 * parallel guesses can never get more than the limit checked (reading a lock first and counting
 * failures after the slow hash let 20 parallel guesses through).
 *
 * The limits, from the narrowest to the widest, each over a fixed window:
 * - account at address (`account:<username>@<address>`, 5 per 15 minutes): bounds guessing one
 *   account from one place. It is keyed by the typed username whether or not the account exists, so
 *   an unknown user is counted, delayed and answered exactly like a real one. Because it includes the
 *   address, an attacker elsewhere cannot use it to lock the real person out.
 * - address (`address:<address>`, 30 per 15 minutes; an IPv6 address counts by its /64): bounds
 *   spraying many accounts from one place.
 * - site-wide (`site`, 100 addresses per 15 minutes): bounds a spray spread over many addresses. It
 *   counts addresses, not attempts: an address counts once per window (its `site:<address>` marker),
 *   so no single address can use it up, however often it tries. Once more addresses than that have
 *   tried, an address not yet counted is refused until the window ends; addresses already counted
 *   keep their own allowance, and sessions already open keep working.
 * An attempt reaches a wider limit only when the narrower ones let it through: one refused by its
 * address's limit counts towards nothing else, so an address over its limit cannot wear down the
 * limits everyone shares. A successful login gives its attempt back to the address and site-wide
 * counters and clears its account-at-address counter, so an office behind one address is not
 * throttled by its own logins. Keys are stored as SHA-256 only (no address or typed username in the
 * clear); expired rows are deleted as attempts come in.
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
  /** Distinct addresses (not attempts) allowed to try per window, across the whole site. */
  siteAddresses: LoginLimit;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  accountAtAddress: { max: 5, windowMs: 15 * 60_000 },
  address: { max: 30, windowMs: 15 * 60_000 },
  siteAddresses: { max: 100, windowMs: 15 * 60_000 },
};

type Scope = keyof LoginLimits;

/** The counters of one attempt: one per limit, plus the marker that counts its address site-wide once. */
export interface ThrottleKeys {
  accountAtAddress: string;
  address: string;
  siteAddresses: string;
  /** This address's marker in the site-wide window; its first attempt there counts the address. */
  siteMarker: string;
}

export type Reservation =
  | {
      ok: true;
      /** Attempts of this account at this address in the window, this one included (for the delay). */
      attempts: number;
      keys: ThrottleKeys;
      /** Whether this attempt counted its address site-wide (then a successful login gives it back). */
      countedSiteWide: boolean;
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
 * Counts one login attempt against every limit, narrowest first, before the password is checked.
 * `ok: false` names the limit reached; then no password may be checked, and no wider limit has
 * counted the attempt.
 */
export async function reserveLoginAttempt(
  db: SupportDb,
  o: { username: string; address: string; limits: LoginLimits },
): Promise<Reservation> {
  const address = throttleAddress(o.address);
  const keys: ThrottleKeys = {
    accountAtAddress: hashKey(`account:${o.username.toLowerCase()}@${address}`),
    address: hashKey(`address:${address}`),
    siteAddresses: hashKey('site'),
    siteMarker: hashKey(`site:${address}`),
  };
  const { limits } = o;
  await deleteExpiredThrottles(
    db.pool,
    Math.max(limits.accountAtAddress.windowMs, limits.address.windowMs, limits.siteAddresses.windowMs),
  );
  // One upsert per counter, each atomic, so parallel attempts cannot both see room under a limit.
  const count = async (keyHash: string, limit: LoginLimit) => {
    const [row] = await countThrottleAttempts(db.pool, [{ keyHash, windowMs: limit.windowMs }]);
    if (!row) throw new Error('the login throttle counted nothing');
    return row;
  };
  const account = await count(keys.accountAtAddress, limits.accountAtAddress);
  const refuse = (scope: Scope, row: { retryAfterS: number }): Reservation => ({
    ok: false,
    scope,
    retryAfterS: Math.max(row.retryAfterS, 1),
    attempts: account.attempts,
  });
  if (account.attempts > limits.accountAtAddress.max) return refuse('accountAtAddress', account);
  const byAddress = await count(keys.address, limits.address);
  if (byAddress.attempts > limits.address.max) return refuse('address', byAddress);
  // The address's first attempt in the site-wide window counts it there; later ones do not.
  const marker = await count(keys.siteMarker, limits.siteAddresses);
  if (marker.attempts > 1) return { ok: true, attempts: account.attempts, keys, countedSiteWide: false };
  const site = await count(keys.siteAddresses, limits.siteAddresses);
  if (site.attempts > limits.siteAddresses.max) {
    // Refused: the address stays uncounted, so its next attempt asks again rather than slipping past.
    await releaseThrottleAttempt(db.pool, { clear: keys.siteMarker, giveBack: [] });
    return refuse('siteAddresses', site);
  }
  return { ok: true, attempts: account.attempts, keys, countedSiteWide: true };
}

/**
 * After a successful login: clears the account-at-address counter and gives the attempt back to the
 * address counter, and the address back to the site-wide count when this attempt had counted it.
 */
export async function releaseLoginAttempt(
  db: SupportDb,
  reservation: { keys: ThrottleKeys; countedSiteWide: boolean },
): Promise<void> {
  const { keys } = reservation;
  await releaseThrottleAttempt(db.pool, {
    clear: keys.accountAtAddress,
    giveBack: reservation.countedSiteWide ? [keys.address, keys.siteAddresses] : [keys.address],
  });
  if (reservation.countedSiteWide)
    await releaseThrottleAttempt(db.pool, { clear: keys.siteMarker, giveBack: [] });
}
