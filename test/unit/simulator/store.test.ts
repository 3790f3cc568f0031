import { describe, expect, it } from 'vitest';
import { isValidUln } from '../../../src/lrs/uln.ts';
import { capturedLearners, syntheticLearners } from '../../../src/simulator/seed.ts';
import { LearnerStore } from '../../../src/simulator/store.ts';

const WINDOW = 60_000;

function seededStore(o: { possibleMatchMinWaitMs?: number } = {}): LearnerStore {
  const store = new LearnerStore({
    findBeforeRegisterWindowMs: WINDOW,
    possibleMatchMinWaitMs: o.possibleMatchMinWaitMs ?? 0,
    maxPossibleMatches: 10,
    issuedUlnPrefix: '5',
  });
  for (const l of capturedLearners()) store.add(l);
  return store;
}

const jane = {
  givenName: 'Jane',
  familyName: 'Example',
  dateOfBirth: '2005-02-28',
  gender: '2',
  lastKnownPostCode: 'CV4 9EE',
  verificationType: '0',
  abilityToShare: '1',
};

describe('find against the captured learners', () => {
  const store = seededStore();

  it('finds the captured exact, linked, possible, too-many and no-match cases', () => {
    expect(
      store.find({
        familyName: 'Testname',
        givenName: 'Sample',
        dateOfBirth: '1976-08-16',
        gender: '2',
        lastKnownPostCode: 'CV49EE',
      }),
    ).toMatchObject({ code: 'WSRC0004', learner: { uln: '1026893096' } });
    const linked = store.find({
      familyName: 'Test',
      givenName: 'Sample',
      dateOfBirth: '1985-03-27',
      gender: '1',
      lastKnownPostCode: 'AB125EQ',
    });
    expect(linked).toMatchObject({
      code: 'WSRC0022',
      learner: { uln: '6936002314', linkedUlns: ['4444599390'] },
    });
    const possible = store.find({
      familyName: 'Evans',
      givenName: 'Abbie',
      dateOfBirth: '1994-02-06',
      gender: '2',
      lastKnownPostCode: 'LU49QZ',
    });
    expect(possible.code === 'WSRC0003' && possible.candidates.map((l) => l.uln)).toEqual(['7667649978']);
    expect(
      store.find({
        familyName: 'Everybody',
        givenName: 'Everybody',
        dateOfBirth: '2000-01-01',
        gender: '2',
        lastKnownPostCode: 'CV49EE',
      }).code,
    ).toBe('WSRC0002');
    expect(
      store.find({
        familyName: 'Nobody',
        givenName: 'Nobody',
        dateOfBirth: '2000-01-01',
        gender: '2',
        lastKnownPostCode: 'CV49EE',
      }).code,
    ).toBe('WSRC0001');
  });

  it('looks a ULN up with names that match the record or, for a merged ULN, its master', () => {
    const uln = (r: ReturnType<LearnerStore['byUlnAndNames']>) => r && [r.record.uln, r.master.uln];
    expect(uln(store.byUlnAndNames('1026893096', 'SAMPLE', 'testname'))).toEqual([
      '1026893096',
      '1026893096',
    ]);
    expect(uln(store.byUlnAndNames('4444599390', 'Sample', 'Test'))).toEqual(['4444599390', '6936002314']);
    expect(store.byUlnAndNames('1026893096', 'Sample', 'Other')).toBeUndefined();
    expect(store.byUlnAndNames('9999999999', 'Sample', 'Testname')).toBeUndefined();
  });

  it('returns both candidates of the two-candidate possible match', () => {
    const r = store.find({
      familyName: 'Possible',
      givenName: 'Jayden',
      dateOfBirth: '2001-05-14',
      gender: '1',
      lastKnownPostCode: 'B9 9ZZ',
    });
    expect(r.code === 'WSRC0003' && r.candidates.map((l) => l.uln).sort()).toEqual([
      '1964986809',
      '8383558804',
    ]);
  });

  it('says too many above ten candidates', () => {
    const { learners } = syntheticLearners(7, 400);
    const big = seededStore();
    for (const l of learners) big.add(l);
    const crowdMember = learners.find(
      (l) =>
        learners.filter(
          (o) =>
            o.familyName === l.familyName && o.givenName === l.givenName && o.dateOfBirth === l.dateOfBirth,
        ).length >= 12,
    );
    expect(crowdMember).toBeDefined();
    if (crowdMember)
      expect(big.find({ ...crowdMember, lastKnownPostCode: 'ZZ99 9ZZ' }).code).toBe('WSRC0002');
  });
});

describe('registration', () => {
  it('refuses a registration without a recent FUL search by the same organisation', () => {
    const store = seededStore();
    expect(store.register('10000001', jane, 0)).toEqual({ code: 'WSRC0021', reason: 'no_recent_search' });
    store.recordSearch('10000002', jane, 'WSRC0001', 0);
    expect(store.register('10000001', jane, 1)).toEqual({ code: 'WSRC0021', reason: 'no_recent_search' });
    store.recordSearch('10000001', jane, 'WSRC0001', 0);
    expect(store.register('10000001', jane, WINDOW + 1)).toEqual({
      code: 'WSRC0021',
      reason: 'no_recent_search',
    });
    expect(store.registrations).toBe(0);
  });

  it('registers after a search with a valid new ULN, then refuses the same identity as a counted duplicate', () => {
    const store = seededStore();
    store.recordSearch('10000001', jane, 'WSRC0001', 1000);
    const first = store.register('10000001', jane, 2000);
    expect(first.code).toBe('WSRC0005');
    if (first.code !== 'WSRC0005') return;
    expect(isValidUln(first.uln)).toBe(true);
    expect(store.find({ ...jane, givenName: 'JANE', lastKnownPostCode: 'cv49ee' })).toMatchObject({
      code: 'WSRC0004',
      learner: { uln: first.uln, versionNumber: 1 },
    });
    store.recordSearch('10000001', jane, 'WSRC0004', 3000);
    expect(store.register('10000001', { ...jane, familyName: ' example ' }, 3001)).toEqual({
      code: 'WSRC0021',
      reason: 'duplicate',
    });
    expect(store.registrations).toBe(1);
    expect(store.duplicateRegistrations).toBe(1);
  });

  it('makes a possible-match search wait the configured minimum before registering', () => {
    const store = seededStore({ possibleMatchMinWaitMs: 5000 });
    store.recordSearch('10000001', jane, 'WSRC0003', 0);
    expect(store.register('10000001', jane, 1000)).toMatchObject({
      code: 'WSRC0021',
      reason: 'possible_match_wait',
    });
    expect(store.register('10000001', jane, 5000).code).toBe('WSRC0005');
  });

  it('never issues one ULN twice, even across a fresh store sharing the counter', () => {
    const counter = { next: 0 };
    const issued = new Set<string>();
    for (let round = 0; round < 2; round++) {
      const store = new LearnerStore(
        {
          findBeforeRegisterWindowMs: WINDOW,
          possibleMatchMinWaitMs: 0,
          maxPossibleMatches: 10,
          issuedUlnPrefix: '5',
        },
        counter,
      );
      for (let i = 0; i < 200; i++) {
        const p = { ...jane, givenName: `Jane${i}` };
        store.recordSearch('o', p, 'WSRC0001', 0);
        const r = store.register('o', p, 1);
        if (r.code === 'WSRC0005') issued.add(r.uln);
      }
    }
    expect(issued.size).toBe(400);
    expect([...issued].every(isValidUln)).toBe(true);
  });
});

describe('update', () => {
  it('checks the version, the ULN and whether anything changed, and bumps the version on success', () => {
    const store = seededStore();
    expect(store.update('1000000000', 1, { givenName: 'X' }, 0).code).toBe('WSRC0019');
    expect(store.update('4444599390', 1, { givenName: 'X' }, 0).code).toBe('WSRC0019');
    expect(store.update('1026893096', 2, { givenName: 'Samantha' }, 0).code).toBe('WSRC0013');
    expect(store.update('1026893096', 1, { givenName: 'Sample', familyName: 'Testname' }, 0).code).toBe(
      'WSRC0020',
    );
    expect(store.update('1026893096', 1, { lastKnownPostCode: 'CV1 1AA' }, Date.UTC(2026, 0, 2)).code).toBe(
      'WSRC0006',
    );
    expect(store.get('1026893096')).toMatchObject({
      versionNumber: 2,
      lastKnownPostCode: 'CV1 1AA',
      lastUpdatedDate: '2026-01-02',
    });
    expect(store.update('1026893096', 1, { lastKnownPostCode: 'CV2 2AB' }, 0).code).toBe('WSRC0013');
    expect(
      store.find({
        familyName: 'Testname',
        givenName: 'Sample',
        dateOfBirth: '1976-08-16',
        gender: '2',
        lastKnownPostCode: 'CV11AA',
      }).code,
    ).toBe('WSRC0004');
  });
});
