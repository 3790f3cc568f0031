/**
 * Staff password hashes: scrypt from node:crypto, stored as `scrypt$N$r$p$salt$hash` (base64) so the
 * cost can be raised later without invalidating existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost N (2^15 ≈ 50–100 ms and 32 MiB per hash). */
export const DEFAULT_SCRYPT_COST = 2 ** 15;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;

function deriveKey(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes a password. `cost` is scrypt's N (a power of two; default 2^15). */
export async function hashPassword(password: string, o: { cost?: number } = {}): Promise<string> {
  const N = o.cost ?? DEFAULT_SCRYPT_COST;
  const salt = randomBytes(16);
  const key = await deriveKey(password, salt, { N, r: 8, p: 1 });
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await deriveKey(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A fixed hash to verify against when the username does not exist, so timing does not reveal it. */
export const DUMMY_PASSWORD_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Returns a problem with the password in plain words, or null when it is acceptable. */
export function checkPasswordStrength(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `the password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.trim() !== password) return 'the password must not start or end with spaces';
  return null;
}
