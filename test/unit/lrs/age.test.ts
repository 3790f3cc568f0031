/**
 * A learner's age is counted to the UK calendar date of the request: GMT in winter, BST (UTC+1) in
 * summer. The date is kept for the UTC hour it was last asked about, so the checks below ask in an
 * order that would show a stale answer: across midnight UK time and across both clock changes.
 */
import { describe, expect, it } from 'vitest';
import { ageOn, ageProblem } from '../../../src/lrs/age.ts';

describe('ageOn', () => {
  it('counts to the UK date in summer (BST): midnight UK is 23:00 UTC', () => {
    expect(ageOn('2000-07-01', new Date('2026-06-30T22:59:59Z'))).toBe(25);
    expect(ageOn('2000-07-01', new Date('2026-06-30T23:00:00Z'))).toBe(26);
    expect(ageOn('2000-07-01', new Date('2026-06-30T22:00:00Z'))).toBe(25);
  });

  it('counts to the UK date in winter (GMT): midnight UK is midnight UTC', () => {
    expect(ageOn('2000-01-15', new Date('2026-01-14T23:59:59Z'))).toBe(25);
    expect(ageOn('2000-01-15', new Date('2026-01-15T00:00:00Z'))).toBe(26);
    expect(ageOn('2000-01-15', new Date('2026-01-14T23:00:00Z'))).toBe(25);
  });

  it('is right on the days the clocks change (01:00 UTC)', () => {
    // 29 March 2026: GMT until 01:00 UTC, BST after. 25 October 2026: BST until 01:00 UTC, GMT after.
    expect(ageOn('2000-03-29', new Date('2026-03-28T23:59:59Z'))).toBe(25);
    expect(ageOn('2000-03-29', new Date('2026-03-29T00:00:00Z'))).toBe(26);
    expect(ageOn('2000-10-25', new Date('2026-10-24T22:59:59Z'))).toBe(25);
    expect(ageOn('2000-10-25', new Date('2026-10-24T23:00:00Z'))).toBe(26);
    expect(ageOn('2000-10-25', new Date('2026-10-25T01:00:00Z'))).toBe(26);
  });

  it('names the UK date of the request in the problem, not the learner', () => {
    expect(ageProblem('2020-05-01', new Date('2026-06-30T23:30:00Z'))?.message).toContain('on 2026-07-01,');
    expect(ageProblem('2020-05-01', new Date('2026-06-30T22:30:00Z'))?.message).toContain('on 2026-06-30,');
    expect(ageProblem('2000-05-01', new Date('2026-06-30T22:30:00Z'))).toBeUndefined();
  });
});
