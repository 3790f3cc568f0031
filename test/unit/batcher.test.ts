import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../src/db/batcher.ts';

/** A batcher whose first flush waits until `release()`; `batches` records every flush's items. */
function gatedBatcher(maxBatch?: number) {
  const batches: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const batcher = createBatcher<number, number>({
    ...(maxBatch === undefined ? {} : { maxBatch }),
    flush: async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items;
    },
  });
  return { batcher, batches, release };
}

describe('createBatcher', () => {
  it('writes items added in the same turn as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>({
      flush: async (items) => {
        batches.push(items);
        return items.map((x) => x * 10);
      },
    });
    const results = await Promise.all([1, 2, 3].map((x) => b.run(x)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('collects items that arrive during a flush into the next one, up to maxBatch', async () => {
    const { batcher: b, batches, release } = gatedBatcher(2);
    const first = b.run(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((x) => b.run(x));
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('by default writes one batch at a time: what arrives meanwhile waits and goes in the next together', async () => {
    const { batcher: b, batches, release } = gatedBatcher();
    const first = b.run(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3].map((x) => b.run(x));
    await new Promise((r) => setImmediate(r));
    const last = b.run(4);
    for (let i = 0; i < 5; i += 1) await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...later, last]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every caller of a failed flush, and keeps working afterwards', async () => {
    let fail = true;
    const b = createBatcher<number, number>({
      flush: async (items) => {
        if (fail) throw new Error('connection lost');
        return items;
      },
    });
    const results = await Promise.allSettled([b.run(1), b.run(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.run(3)).toBe(3);
    await b.drain();
  });
});
