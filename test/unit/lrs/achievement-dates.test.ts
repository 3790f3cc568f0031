/**
 * Achievement dates are xs:dateTime in the External service (docs/lrs.md §4.13): whatever form the MIS
 * hands a date in (a Postgres date, timestamp or timestamptz as JSON, or text), the envelope carries
 * `yyyy-MM-ddT00:00:00` and is valid against our WSDL of the service; a value that is no date is refused
 * locally, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { buildBatchRecord } from '../../../src/batches/kinds.ts';
import { asXsDateTime } from '../../../src/lrs/dates.ts';
import { buildEnvelope } from '../../../src/lrs/envelope.ts';
import { validateMessage } from '../../../src/lrs/messages.ts';
import * as op from '../../../src/lrs/operations/index.ts';
import type { Achievement, LrsIdentity } from '../../../src/lrs/types.ts';
import { canonicalBody, type CNode } from './canonical-xml.ts';
import { schemaProblems } from './schema-validate.ts';

const identity: LrsIdentity = {
  organisationRef: 'ABC123',
  password: 'Pa55word-Pa55wd!',
  userName: 'ao.user',
};

function achievement(dates: Partial<Achievement>): Achievement {
  return {
    achievementAwardDate: '2024-07-31',
    action: 1,
    actionDate: '2024-08-01',
    familyName: 'Testname',
    givenName: 'Sample',
    providerUkprn: '10099999',
    uln: '1026893096',
    unitOrQualificationReferenceNumber: '60312345',
    ...dates,
  };
}

const envelopeOf = (a: Achievement) =>
  buildEnvelope(
    op.submitAchievementBatchJob.spec,
    op.submitAchievementBatchJob.build(identity, { achievements: [a] }),
  );

/** The three date members of the first Achievement in an envelope, by local name. */
function wireDates(envelope: string): Record<string, string | undefined> {
  const list = canonicalBody(envelope).children.find((c) => c.name.endsWith('}achievements'));
  const first = list?.children[0];
  const text = (local: string) => first?.children.find((c: CNode) => c.name.endsWith(`}${local}`))?.text;
  return {
    AchievementAwardDate: text('AchievementAwardDate'),
    ActionDate: text('ActionDate'),
    DateofBirth: text('DateofBirth'),
  };
}

describe('a MIS date as xs:dateTime', () => {
  it.each([
    ['2024-07-31', 'a Postgres date'],
    ['2024-07-31T00:00:00', 'a timestamp at midnight'],
    ['2024-07-31T14:05:09.123456', 'a timestamp with a time and fraction'],
    ['2024-07-31 14:05:09', 'a timestamp cast to text'],
    ['2024-07-31T00:00:00+01:00', 'a timestamptz at midnight BST: the date as written, not 30 July UTC'],
    ['2024-07-31T23:30:00Z', 'a timestamptz in UTC: the date as written'],
    [' 2024-07-31 ', 'text with spaces around'],
  ])('%s (%s) → 2024-07-31T00:00:00', (mis) => {
    expect(asXsDateTime(mis)).toBe('2024-07-31T00:00:00');
  });

  it('leaves text that is no date as it is, for the rule to refuse', () => {
    for (const v of ['31/07/2024', '2024-7-31', 'yesterday', '']) expect(asXsDateTime(v)).toBe(v);
  });
});

describe('a SubmitAchievementBatchJob envelope', () => {
  it('carries xs:dateTime dates and is valid against our External WSDL, from MIS dates, timestamps and text', async () => {
    const env = envelopeOf(
      achievement({
        achievementAwardDate: '2024-07-31',
        actionDate: '2024-08-01 09:30:00',
        dateOfBirth: '1976-08-16T00:00:00+01:00',
      }),
    );
    expect(wireDates(env)).toEqual({
      AchievementAwardDate: '2024-07-31T00:00:00',
      ActionDate: '2024-08-01T00:00:00',
      DateofBirth: '1976-08-16T00:00:00',
    });
    expect(await schemaProblems('externalService', env)).toEqual([]);
  });

  it('with a bare date on the wire would not be valid (the check can fail)', async () => {
    const env = envelopeOf(achievement({})).replace('2024-07-31T00:00:00', '2024-07-31');
    expect(await schemaProblems('externalService', env)).toEqual([
      'SubmitAchievementBatchJob/achievements/Achievement/AchievementAwardDate: not a valid xs:dateTime',
    ]);
  });

  it('is refused before sending when a date is not one, naming the field and never the value', () => {
    const wire = op.submitAchievementBatchJob.build(identity, {
      achievements: [achievement({ dateOfBirth: '16/08/1976' })],
    });
    expect(validateMessage(op.submitAchievementBatchJob.spec, wire)).toEqual([
      {
        field: 'achievements[0].dateOfBirth',
        message: 'must be a date: a MIS date or timestamp, or text written yyyy-MM-dd',
      },
    ]);
  });
});

describe('an achievement request joining a batch', () => {
  const payload = {
    uln: '1026893096',
    givenName: 'Sample',
    familyName: 'Testname',
    unitOrQualificationReferenceNumber: '60312345',
    providerUkprn: '10099999',
  };

  it('takes a MIS timestamp', () => {
    const r = buildBatchRecord(
      'achievement',
      7,
      { ...payload, achievementAwardDate: '2024-07-31T10:00:00' },
      {
        requestedAt: new Date(),
      },
    );
    expect(r.ok).toBe(true);
  });

  it('is rejected on its own, LOCAL_VALIDATION naming the field, when its date is not a date', () => {
    const r = buildBatchRecord(
      'achievement',
      7,
      { ...payload, achievementAwardDate: '31/07/2024' },
      {
        requestedAt: new Date(),
      },
    );
    expect(r).toEqual({
      ok: false,
      code: 'LOCAL_VALIDATION',
      problems: [
        {
          field: 'achievementAwardDate',
          message: 'must be a date: a MIS date or timestamp, or text written yyyy-MM-dd',
        },
        // ActionDate defaults to the award date, so it is named too.
        {
          field: 'actionDate',
          message: 'must be a date: a MIS date or timestamp, or text written yyyy-MM-dd',
        },
      ],
    });
  });
});
