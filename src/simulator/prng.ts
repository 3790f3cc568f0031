/**
 * A small seeded PRNG (mulberry32) so synthetic learners, fault injection and learning events are the same
 * on every run with the same seed. Not for anything secret.
 */
export type Random = () => number;

/** Returns a function yielding floats in [0, 1), deterministic for a given 32-bit seed. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export function pickIndex(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** One element of a non-empty list. */
export function pickOne<T>(random: Random, list: readonly T[]): T {
  const v = list[pickIndex(random, list.length)];
  if (v === undefined) throw new RangeError('pickOne needs a non-empty list');
  return v;
}

/** A stable 32-bit hash of a string (FNV-1a), used to derive per-learner seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A 53-bit hash of a string (two FNV-1a variants), used as a compact Map key for the register's indexes:
 * a number key costs far less memory than a long composite string. Callers re-check the real fields on a hit.
 */
export function hashKey(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
