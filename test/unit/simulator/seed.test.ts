import { describe, expect, it } from 'vitest';
import { isValidUln } from '../../../src/lrs/uln.ts';
import { parseLearnerRows } from '../../../src/simulator/import-learners.ts';
import { capturedLearners, syntheticLearners } from '../../../src/simulator/seed.ts';
import { LearnerStore } from '../../../src/simulator/store.ts';

function storeWith(seed: number, count: number) {
  const store = new LearnerStore({
    findBeforeRegisterWindowMs: 1000,
    possibleMatchMinWaitMs: 0,
    maxPossibleMatches: 10,
    issuedUlnPrefix: '5',
  });
  const synthetic = syntheticLearners(seed, count);
  for (const l of [...capturedLearners(), ...synthetic.learners]) store.add(l);
  return { store, ...synthetic };
}

describe('seeded learners', () => {
  it('are the same for the same seed and differ for another', () => {
    const a = syntheticLearners(42, 300).learners.map((l) => l.uln);
    expect(syntheticLearners(42, 300).learners.map((l) => l.uln)).toEqual(a);
    expect(syntheticLearners(43, 300).learners.map((l) => l.uln)).not.toEqual(a);
  });

  it('carry valid, unique ULNs', () => {
    const { store, learners } = storeWith(1, 1000);
    expect(learners.every((l) => isValidUln(l.uln))).toBe(true);
    expect(capturedLearners().every((l) => isValidUln(l.uln))).toBe(true);
    expect(store.size).toBe(capturedLearners().length + learners.length);
  });

  it('offer an example that reaches every find outcome', () => {
    const { store, examples } = storeWith(1, 1000);
    const code = (k: keyof typeof examples) => {
      const e = examples[k];
      if (!e) throw new Error(`no ${k} example`);
      return store.find(e).code;
    };
    expect(code('exact')).toBe('WSRC0004');
    expect(code('possible')).toBe('WSRC0003');
    expect(code('tooMany')).toBe('WSRC0002');
    expect(code('none')).toBe('WSRC0001');
    expect(code('linked')).toBe('WSRC0022');
    expect(store.get(examples.notShared?.uln ?? '')?.abilityToShare).not.toBe('1');
  });
});

describe('learner import', () => {
  it('reads rows, defaults the optional fields and puts masters before merged records', () => {
    const rows = parseLearnerRows([
      {
        uln: '4444599390',
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '2000-01-01',
        gender: '1',
        lastKnownPostCode: 'CV4 9EE',
        mergedInto: '9276308686',
      },
      {
        uln: '9276308686',
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '2000-01-01',
        gender: '1',
        lastKnownPostCode: 'CV4 9EE',
        middleOtherName: '',
      },
    ]);
    expect(rows.map((r) => r.uln)).toEqual(['9276308686', '4444599390']);
    expect(rows[0]).toMatchObject({ abilityToShare: '1', versionNumber: 1, middleOtherName: undefined });
  });

  it('names the row and field of a bad value', () => {
    expect(() =>
      parseLearnerRows([
        {
          uln: '1234567890',
          givenName: 'A',
          familyName: 'B',
          dateOfBirth: '2000-01-01',
          gender: '1',
          lastKnownPostCode: 'X',
        },
      ]),
    ).toThrow(/row 1: uln/);
  });
});
