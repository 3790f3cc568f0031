import { describe, expect, it } from 'vitest';
import { fanOutAchievements, fanOutRegistration, parseAchievementErrors } from '../../src/batches/results.ts';
import { describeAge, pollDelayMs } from '../../src/batches/poll.ts';
import { payloadFromViewRow, toCamelCase } from '../../src/batches/acquire-ulns.ts';
import { buildBatchRecord } from '../../src/batches/kinds.ts';

describe('batch results', () => {
  it('maps registration rows by MISIdentifier; ids not in the batch are ignored and missing ones listed', () => {
    const f = fanOutRegistration(
      7,
      [1, 2, 3],
      [
        { misIdentifier: '2', returnCode: 'RC001', uln: '1234567890', givenName: 'A', familyName: 'B' },
        { misIdentifier: '3', returnCode: 'RC006', givenName: 'A', familyName: 'B' },
        { misIdentifier: '99', returnCode: 'RC001', givenName: 'A', familyName: 'B' },
        { misIdentifier: '2', returnCode: 'RC002', givenName: 'A', familyName: 'B' },
      ],
    );
    expect(f.missing).toEqual([1]);
    expect(f.foreign).toBe(2);
    expect(f.settlements.map((s) => [s.requestId, s.resolution.status, s.resolution.code])).toEqual([
      [2, 'succeeded', 'RC001'],
      [3, 'needs_action', 'RC006'],
    ]);
  });

  it('reads the achievement error file by 1-based row in submission order', () => {
    expect(parseAchievementErrors('Row,Error,Description\n2,LearnerDataError,ULN not found\n')).toEqual(
      new Map([[2, 'LearnerDataError: ULN not found']]),
    );
    const f = fanOutAchievements(
      1,
      [10, 11, 12],
      {
        code: 'WSRC0009',
        codeSource: 'lrs',
        class: 'success',
        state: 'done',
        status: 'Successful',
        achievementBatchErrorFile: '3,FieldDataError,missing',
      },
      new Map(),
    );
    expect(f.settlements.map((s) => s.resolution.code)).toEqual([
      'ACHIEVEMENT_LOADED',
      'ACHIEVEMENT_LOADED',
      'ACHIEVEMENT_REJECTED',
    ]);
    const failed = fanOutAchievements(
      1,
      [10],
      {
        code: 'WSRC0009',
        codeSource: 'lrs',
        class: 'success',
        state: 'cancelled',
        status: 'Cancelled',
      },
      new Map(),
    );
    expect(failed.settlements[0]?.resolution).toMatchObject({
      code: 'ACHIEVEMENT_BATCH_FAILED',
      status: 'needs_action',
    });
  });

  it("stores the LRS's error rows and rejection reason without the learners' personal values", () => {
    const payloads = new Map<number, unknown>([
      [
        10,
        { givenName: 'Zephyrine', familyName: 'Quillfeather', dateOfBirth: '1999-12-31', uln: '1026893096' },
      ],
      [11, { givenName: 'Bartholomew', familyName: 'Nightingale', learnerPostcode: 'ZE1 0AA' }],
    ]);
    const rejected = fanOutAchievements(
      1,
      [10, 11],
      {
        code: 'WSRC0009',
        codeSource: 'lrs',
        class: 'success',
        state: 'done',
        status: 'Successful',
        achievementBatchErrorFile:
          '1,LearnerDataError,ULN 1026893096 belongs to QUILLFEATHER Zephyrine born 31/12/1999\n2,LearnerDataError,postcode ze10aa does not match',
      },
      payloads,
    );
    expect(rejected.settlements.map((x) => x.resolution.description)).toEqual([
      'The LRS rejected this achievement: LearnerDataError: ULN [ULN] belongs to [family name] [given name] born [date of birth]',
      'The LRS rejected this achievement: LearnerDataError: postcode [postcode] does not match',
    ]);
    const failed = fanOutAchievements(
      1,
      [10, 11],
      {
        code: 'WSRC0009',
        codeSource: 'lrs',
        class: 'success',
        state: 'failed',
        status: 'Failed',
        rejectionReason: 'Learners Zephyrine Quillfeather and Bartholomew Nightingale are not known',
      },
      payloads,
    );
    expect(failed.settlements[0]?.resolution.description).toBe(
      'The achievement job ended Failed. Rejection reason: Learners [given name] [family name] and [given name] [family name] are not known',
    );
  });

  it('doubles the poll interval up to the cap', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => pollDelayMs(n, 1_000, 5_000))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000, 5_000,
    ]);
    // Never a hot loop, even with no initial wait.
    expect(pollDelayMs(0, 0, 5_000)).toBe(100);
  });
});

describe('nightly view rows', () => {
  it('takes snake_case or camelCase register columns and drops anything else', () => {
    expect(toCamelCase('last_known_post_code')).toBe('lastKnownPostCode');
    expect(toCamelCase('family_name_at_age16')).toBe('familyNameAtAge16');
    expect(
      payloadFromViewRow({
        organisation: '10000001',
        mis_learner_id: 'S1',
        given_name: 'Ann',
        familyName: 'Lee',
        date_of_birth: new Date(2001, 4, 9),
        gender: 2,
        notes_internal: 'x',
        email_address: '',
      }),
    ).toEqual({
      givenName: 'Ann',
      familyName: 'Lee',
      dateOfBirth: '2001-05-09',
      gender: '2',
    });
  });
});

const NOW = { requestedAt: new Date('2026-12-07T09:00:00Z') };

describe('batch records', () => {
  it('checks each record alone and names the field, without the batch path', () => {
    const r = buildBatchRecord(
      'register',
      5,
      {
        givenName: 'Ann',
        familyName: 'Lee',
        dateOfBirth: '2001-02-30',
        gender: '2',
        lastKnownPostCode: 'CV4 9EE',
      },
      NOW,
    );
    expect(r).toMatchObject({ ok: false, code: 'LOCAL_VALIDATION', problems: [{ field: 'dateOfBirth' }] });
    const ok = buildBatchRecord(
      'verify',
      5,
      {
        uln: '1026893096',
        givenName: 'Sample',
        familyName: 'Testname',
      },
      NOW,
    );
    expect(ok).toMatchObject({ ok: true, record: { kind: 'verify', learner: { misIdentifier: '5' } } });
    expect(buildBatchRecord('register', 5, { givenName: 'Ann' }, NOW)).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST_PAYLOAD',
    });
  });
});

describe('batch give-up wording', () => {
  it('says how long a batch went without a result in units a person reads', () => {
    expect(describeAge(3_000)).toBe('0 min');
    expect(describeAge(45 * 60_000)).toBe('45 min');
    expect(describeAge(119 * 60_000)).toBe('119 min');
    expect(describeAge(5 * 3_600_000)).toBe('5 h');
    expect(describeAge(48 * 3_600_000)).toBe('2 days');
  });
});
