import { describe, expect, it } from 'vitest';
import { BatchBook } from '../../../src/simulator/batches.ts';

const job = { kind: 'registration' as const, orgId: 'org', failed: false, records: 1, output: '' };

describe('batch book', () => {
  it('moves a job from submitted to in progress to done on its clock, with increasing ids', () => {
    const book = new BatchBook(
      { inProgressAfterMs: 100, doneAfterMs: 500 },
      { afterFetchMs: 1000, unfetchedMs: 10_000 },
    );
    const a = book.create({ ...job, submittedAt: 0 }, 0);
    const b = book.create({ ...job, submittedAt: 0 }, 0);
    expect(b.id).toBeGreaterThan(a.id);
    expect(book.stateOf(a, 50)).toBe('submitted');
    expect(book.stateOf(a, 100)).toBe('inProgress');
    expect(book.stateOf(a, 500)).toBe('done');
    expect(book.stateOf({ ...a, failed: true }, 500)).toBe('failed');
  });

  it('hides jobs of another organisation or kind', () => {
    const book = new BatchBook(
      { inProgressAfterMs: 0, doneAfterMs: 0 },
      { afterFetchMs: 1000, unfetchedMs: 1000 },
    );
    const a = book.create({ ...job, submittedAt: 0 }, 0);
    expect(book.find(a.id, 'registration', 'org', 0)).toBe(a);
    expect(book.find(a.id, 'registration', 'other', 0)).toBeUndefined();
    expect(book.find(a.id, 'verify', 'org', 0)).toBeUndefined();
  });

  it('drops output after it was fetched plus the retention, and abandoned output later, keeping memory flat', () => {
    const book = new BatchBook(
      { inProgressAfterMs: 0, doneAfterMs: 0 },
      { afterFetchMs: 1000, unfetchedMs: 5000 },
    );
    const fetched = book.create({ ...job, submittedAt: 0 }, 0);
    const abandoned = book.create({ ...job, submittedAt: 0 }, 0);
    book.markFetched(fetched, 10);
    book.sweep(1010, true);
    expect(book.find(fetched.id, 'registration', 'org', 1010)).toBeUndefined();
    expect(book.find(abandoned.id, 'registration', 'org', 1010)).toBe(abandoned);
    book.sweep(5000, true);
    expect(book.size).toBe(0);
    expect(book.counts(5000)).toMatchObject({ expired: 2, done: 0 });
  });

  it('keeps ids increasing across books sharing a counter (reset)', () => {
    const ids = { next: 7 };
    const first = new BatchBook(
      { inProgressAfterMs: 0, doneAfterMs: 0 },
      { afterFetchMs: 1, unfetchedMs: 1 },
      ids,
    ).create({ ...job, submittedAt: 0 }, 0);
    const second = new BatchBook(
      { inProgressAfterMs: 0, doneAfterMs: 0 },
      { afterFetchMs: 1, unfetchedMs: 1 },
      ids,
    ).create({ ...job, submittedAt: 0 }, 0);
    expect([first.id, second.id]).toEqual([7, 8]);
  });
});
