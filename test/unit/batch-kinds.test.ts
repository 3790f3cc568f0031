import { describe, expect, it } from 'vitest';
import { BATCH_KINDS } from '../../db/schema.ts';
import { BATCH_KIND_SPECS, batchKindFor, batchLimits } from '../../src/batches/kinds.ts';
import { BATCH_KIND_OF, BATCHABLE_KINDS, BATCH_ONLY_KINDS, REQUEST_KIND_OF } from '../../src/db/kinds.ts';

describe('batch kinds table', () => {
  it('has one entry per batch kind, each carrying the request kind BATCH_KIND_OF sends to it', () => {
    expect(Object.keys(BATCH_KIND_SPECS).sort()).toEqual([...BATCH_KINDS].sort());
    for (const requestKind of BATCHABLE_KINDS) {
      expect(batchKindFor(requestKind).requestKind).toBe(requestKind);
      expect(REQUEST_KIND_OF[BATCH_KIND_OF[requestKind]]).toBe(requestKind);
    }
  });

  it('sends a failed batch singly only for kinds that have a single call', () => {
    for (const spec of Object.values(BATCH_KIND_SPECS))
      expect(spec.hasSingleCall).toBe(!(BATCH_ONLY_KINDS as readonly string[]).includes(spec.requestKind));
  });

  it('reads each kind’s limit from its own setting', () => {
    expect(
      batchLimits({ BATCH_LIMIT_REGISTRATION: 1, BATCH_LIMIT_VERIFY: 2, BATCH_LIMIT_ACHIEVEMENT: 3 }),
    ).toEqual({ register: 1, verify: 2, achievement: 3 });
  });
});
