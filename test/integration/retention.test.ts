/**
 * Retention and learners' rights end to end: `learner export` returns everything held about a
 * learner; `learner erase` is refused while their work is open, then removes their personal data and
 * keeps anonymous rows so counts stay right; the scheduled purge clears only finished work past
 * retention, in chunks, and leaves open work and ULNs alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLearner } from '../../src/cli/learner.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { Logger } from '../../src/log.ts';
import { purgePersonalData } from '../../src/requests/retention.ts';
import { createCliActor } from '../../src/support/access.ts';
import { retryRequests } from '../../src/support/actions.ts';
import { createFakeIo } from '../helpers/cli-io.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const UKPRN = '10000777';
const NAME = { givenName: 'Zebedee', familyName: 'Quillfeather', dateOfBirth: '2004-02-29' };
const CANDIDATE = { uln: '9999999999', givenName: 'Zeb', familyName: 'Quillfeathers' };
const EVENT = { subject: 'Xylophone Studies', grade: 'Distinction' };

describe('retention and learners’ rights', () => {
  let tdb: TestDatabase;
  let database: Database;
  let org = 0;
  const actor = createCliActor('dpo');

  const q = async <T extends object>(text: string, values: unknown[] = []): Promise<T[]> =>
    (await database.pool.query<T>(text, values)).rows;

  async function addRequest(o: {
    misId: string;
    kind?: string;
    status: string;
    completedDaysAgo?: number;
    payload?: object;
    note?: string;
    error?: string;
    dedupeKey?: string;
  }): Promise<number> {
    const [row] = await q<{ id: number }>(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code,
                                last_error, staff_note, dedupe_key, created_at, completed_at)
       values ($1, 'mis.user', $2, $3, $4::jsonb, $5, case when $5 = 'pending' then null else 'WSRC0004' end,
               $6, $7, $8, now() - interval '200 days',
               case when $9::int is null then null else now() - make_interval(days => $9::int) end)
       returning id`,
      [
        org,
        o.kind ?? 'find_by_demographics',
        o.misId,
        JSON.stringify(o.payload ?? NAME),
        o.status,
        o.error ?? null,
        o.note ?? null,
        o.dedupeKey ?? null,
        o.completedDaysAgo ?? null,
      ],
    );
    return row!.id;
  }
  async function addOutcome(id: number, o: { uln?: string; candidates?: boolean } = {}) {
    await q(
      `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, candidates, learner, description, detail)
       values ($1, $2, 'WSRC0004', 'lrs', $3, $4, $5::jsonb, $6::jsonb, 'Exact match for Zebedee', $6::jsonb)`,
      [
        id,
        org,
        o.uln ? 'success' : 'outcome',
        o.uln ?? null,
        o.candidates ? JSON.stringify([CANDIDATE]) : null,
        JSON.stringify(NAME),
      ],
    );
  }
  async function addEvent(id: number, misId: string, daysAgo = 0) {
    await q(
      `insert into lrs.learning_event (request_id, organisation_id, mis_learner_id, uln, subject, grade, event, created_at)
       values ($1, $2, $3, '1234567890', $4, $5, $6::jsonb, now() - make_interval(days => $7::int))`,
      [id, org, misId, EVENT.subject, EVENT.grade, JSON.stringify(EVENT), daysAgo],
    );
  }
  async function addAudit(id: number) {
    await q(
      `insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, duration_ms)
       values ($1, $2, 'mis.user', 'learnerByDemographics', 'WSRC0004', 'lrs', 120)`,
      [org, id],
    );
  }
  /** Every stored text that could hold the learner's personal data, in one string. */
  async function everything(): Promise<string> {
    const rows = await q<{ t: string }>(
      `select coalesce(string_agg(x, ' '), '') as t from (
         select r::text as x from lrs.request r union all
         select o::text from lrs.outcome o union all
         select e::text from lrs.learning_event e union all
         select a::text from lrs.audit a) s`,
    );
    return rows[0]!.t;
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'retention-test' });
    const [o] = await q<{ id: number }>(
      `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
       values ('Retention College', $1, '{"kind":"env","name":"X"}', 'nightly') returning id`,
      [UKPRN],
    );
    org = o!.id;
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
  });

  it('exports everything held about one learner as JSON, and only that learner', async () => {
    const found = await addRequest({ misId: 'STU-1', status: 'succeeded', completedDaysAgo: 5 });
    await addOutcome(found, { uln: '1234567890' });
    await addAudit(found);
    const possible = await addRequest({
      misId: 'STU-1',
      status: 'rejected',
      completedDaysAgo: 4,
      note: 'Zebedee rang: not her',
      error: 'LRS said no',
    });
    await addOutcome(possible, { candidates: true });
    await addAudit(possible);
    const events = await addRequest({
      misId: 'STU-1',
      kind: 'learning_events',
      status: 'succeeded',
      completedDaysAgo: 3,
    });
    await addOutcome(events, { uln: '1234567890' });
    await addEvent(events, 'STU-1');
    await addEvent(events, 'STU-1');
    await addRequest({
      misId: 'OTHER',
      status: 'succeeded',
      completedDaysAgo: 3,
      payload: { givenName: 'Someone' },
    });

    const io = createFakeIo();
    expect(await runLearner(['export', UKPRN, 'STU-1'], { db: database, actor, io })).toBe(0);
    const doc = JSON.parse(io.lines.join('\n')) as {
      misLearnerId: string;
      organisation: { ukprn: string };
      requests: {
        id: number;
        payload: object;
        staffNote: string | null;
        lastError: string | null;
        outcome: { uln: string | null; candidates: unknown; learner: unknown } | null;
        audit: { operation: string }[];
        learningEvents: { subject: string; event: object }[];
      }[];
    };
    expect(doc.misLearnerId).toBe('STU-1');
    expect(doc.organisation.ukprn).toBe(UKPRN);
    expect(doc.requests.map((r) => r.id)).toEqual([found, possible, events]);
    expect(doc.requests[0]!.payload).toEqual(NAME);
    expect(doc.requests[0]!.outcome?.uln).toBe('1234567890');
    expect(doc.requests[0]!.outcome?.learner).toEqual(NAME);
    expect(doc.requests[1]!.staffNote).toBe('Zebedee rang: not her');
    expect(doc.requests[1]!.lastError).toBe('LRS said no');
    expect(doc.requests[1]!.outcome?.candidates).toEqual([CANDIDATE]);
    expect(doc.requests[0]!.audit.map((a) => a.operation)).toEqual(['learnerByDemographics']);
    expect(doc.requests[2]!.learningEvents).toHaveLength(2);
    expect(doc.requests[2]!.learningEvents[0]).toMatchObject({ subject: EVENT.subject, event: EVENT });
    expect(io.lines.join('\n')).not.toContain('Someone');
    // The export itself is audited, without the learner's id.
    const audited = await q<{ user_name: string; request_id: number | null }>(
      `select user_name, request_id from lrs.audit where operation = 'relay.learner_export'`,
    );
    expect(audited).toEqual([{ user_name: 'cli:dpo', request_id: null }]);

    const missing = createFakeIo();
    expect(await runLearner(['export', UKPRN, 'NOBODY'], { db: database, actor, io: missing })).toBe(1);
    expect(missing.errors.join('\n')).toMatch(/nothing is held about learner "NOBODY".*LEARNER_NOT_FOUND/);
    const badOrg = createFakeIo();
    expect(await runLearner(['export', '99999999', 'STU-1'], { db: database, actor, io: badOrg })).toBe(2);
    expect(badOrg.errors.join('\n')).toMatch(/unknown organisation "99999999"/);
  });

  it('refuses to erase while work for the learner is open, and changes nothing', async () => {
    await addRequest({ misId: 'STU-1', status: 'pending', dedupeKey: 'open-1' });
    const before = await everything();
    const io = createFakeIo();
    expect(await runLearner(['erase', UKPRN, 'STU-1', '--yes'], { db: database, actor, io })).toBe(3);
    expect(io.errors.join('\n')).toMatch(
      /not erased: 1 request\(s\) for this learner are still open: \d+ \(pending\).*requests cancel.*LEARNER_WORK_OPEN/,
    );
    expect(await everything()).toBe(before);
    // Without --yes and nobody at the terminal, nothing is erased either.
    const noYes = createFakeIo();
    expect(await runLearner(['erase', UKPRN, 'STU-1'], { db: database, actor, io: noYes })).toBe(2);
    expect(noYes.errors.join('\n')).toMatch(/add --yes/);
    await q(`update lrs.request set status = 'cancelled', completed_at = now() where dedupe_key = 'open-1'`);
  });

  it('erases the learner’s personal data and keeps anonymous rows so counts stay right', async () => {
    // Another learner's search listed STU-1 (found by ULN) among its possible matches, beside someone else.
    const otherSearch = await addRequest({
      misId: 'STU-2',
      status: 'needs_action',
      payload: { givenName: 'Zara' },
    });
    const stranger = { uln: '5555555555', givenName: 'Zachary', familyName: 'Quince' };
    await q(
      `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, candidates)
       values ($1, $2, 'WSRC0003', 'lrs', 'needs_action', $3::jsonb)`,
      [
        otherSearch,
        org,
        JSON.stringify([{ ...NAME, uln: '1234567890', lastKnownPostCode: 'ZZ99 9ZZ' }, stranger]),
      ],
    );
    const countsBefore = await q(
      `select status, last_code, count(*)::int as n from lrs.request group by 1, 2 order by 1, 2`,
    );
    const [{ n: auditBefore } = { n: 0 }] = await q<{ n: number }>(
      `select count(*)::int as n from lrs.audit`,
    );
    expect(await everything()).toContain('Zebedee');

    const io = createFakeIo({ interactive: true, answers: ['y'] });
    expect(await runLearner(['erase', UKPRN, 'STU-1'], { db: database, actor, io })).toBe(0);
    expect(io.lines.join('\n')).toMatch(
      /Erased: 4 request\(s\) anonymised, 3 outcome\(s\) cleared, 2 learning event\(s\) deleted, 1 other request\(s\)' candidate lists cleared of them/,
    );
    // In the other request's candidate list, the erased learner is a marker; the stranger stays.
    expect(await q(`select candidates from lrs.outcome where request_id = $1`, [otherSearch])).toEqual([
      { candidates: [{ erased: true }, stranger] },
    ]);

    const after = await everything();
    for (const text of [
      'Zebedee',
      'Quillfeather',
      '2004-02-29',
      'Xylophone',
      'STU-1',
      '1234567890',
      '9999999999',
      'ZZ99 9ZZ',
      'open-1',
    ])
      expect(after).not.toContain(text);
    expect(
      await q(`select status, last_code, count(*)::int as n from lrs.request group by 1, 2 order by 1, 2`),
    ).toEqual(countsBefore);
    // One erasure audit row per request, naming the person who erased and nothing about the learner.
    const erasedAudit = await q<{ user_name: string; code: string }>(
      `select user_name, code from lrs.audit where operation = 'relay.learner_erase'`,
    );
    expect(erasedAudit).toHaveLength(4);
    expect(erasedAudit.every((a) => a.user_name === 'cli:dpo' && a.code === 'LEARNER_ERASED')).toBe(true);
    const [{ n: auditAfter } = { n: 0 }] = await q<{ n: number }>(`select count(*)::int as n from lrs.audit`);
    expect(auditAfter).toBe(auditBefore + 4);
    // The anonymous rows share one token, so the learner counts once; the MIS no longer sees them.
    const tokens = await q<{ mis_learner_id: string }>(
      `select distinct mis_learner_id from lrs.request where mis_learner_id like 'erased-%'`,
    );
    expect(tokens).toHaveLength(1);
    expect(await q(`select 1 from lrs.learner_status where mis_learner_id = 'STU-1'`)).toEqual([]);
    // The other learner is untouched; exporting the erased one finds nothing.
    expect(after).toContain('Someone');
    const again = createFakeIo();
    expect(await runLearner(['export', UKPRN, 'STU-1'], { db: database, actor, io: again })).toBe(1);
  });

  it('purges only finished work past retention, in chunks, and keeps codes, ULNs and open work', async () => {
    const old: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await addRequest({
        misId: `OLD-${i}`,
        status: i === 0 ? 'needs_action' : 'succeeded',
        completedDaysAgo: 91 + i,
        note: 'old note',
        dedupeKey: `old-${i}`,
      });
      await addOutcome(id, { uln: `100000000${i}`, candidates: i === 0 });
      await addEvent(id, `OLD-${i}`, 91);
      await addAudit(id);
      old.push(id);
    }
    const recent = await addRequest({
      misId: 'NEW-1',
      status: 'failed',
      completedDaysAgo: 89,
      error: 'recent error',
    });
    await addOutcome(recent, { uln: '2000000000' });
    await addEvent(recent, 'NEW-1', 40); // past the 30 days of learning events, not the request's 90
    await addEvent(recent, 'NEW-1', 2);
    // The LRS's text about whole batches: one finished long ago, one recently, one still running.
    const batchIds = [];
    for (const [status, daysAgo] of [
      ['failed', 95],
      ['completed', 10],
      ['submitted', 200],
    ] as const) {
      const [b] = await q<{ id: number }>(
        `insert into lrs.batch (organisation_id, kind, status, requested_by, record_count, last_error, completed_at, updated_at)
         values ($1, 'registration', $2, 'nightly', 1, 'Batch rejected: Zebedee Quillfeather 2004-02-29',
                 case when $2 = 'submitted' then null else now() - make_interval(days => $3::int) end,
                 now() - make_interval(days => $3::int))
         returning id`,
        [org, status, daysAgo],
      );
      batchIds.push(b!.id);
    }
    // Exception periods: one closed long ago (deleted), one closed recently (kept); the open ones the
    // requests above opened stay whatever their age.
    const spans = await q<{ id: number }>(
      `insert into lrs.exception_span (request_id, organisation_id, status, code, opened_at, closed_at)
       values ($1, $2, 'failed', 'TIMEOUT', now() - interval '120 days', now() - interval '100 days'),
              ($1, $2, 'failed', 'TIMEOUT', now() - interval '20 days', now() - interval '10 days')
       returning id`,
      [recent, org],
    );
    const open = await addRequest({ misId: 'OPEN-1', status: 'pending' });
    // Retried long after it first finished: completed_at is old but the request is open again.
    const retried = await addRequest({ misId: 'OPEN-2', status: 'in_progress', completedDaysAgo: 200 });
    const openBefore = await q(`select * from lrs.request where id = any($1::bigint[]) order by id`, [
      [open, retried],
    ]);

    const logged: object[] = [];
    const log = { info: (obj: object) => void logged.push(obj) } as unknown as Logger;
    const result = await purgePersonalData({
      pool: database.pool,
      log,
      settings: { requestDays: 90, learningEventDays: 30, chunk: 2 },
    });
    // The previous test's requests finished days ago: untouched.
    expect(result).toEqual({
      requests: 5,
      learningEvents: 1,
      batchErrors: 1,
      exceptionSpans: 1,
      more: false,
    });
    expect(logged).toEqual([
      expect.objectContaining({
        purgedRequests: 5,
        purgedLearningEvents: 1,
        purgedBatchErrors: 1,
        purgedExceptionSpans: 1,
      }),
    ]);
    expect(
      await q(`select id from lrs.exception_span where id = any($1::bigint[])`, [spans.map((s) => s.id)]),
    ).toEqual([{ id: spans[1]!.id }]);
    // The needs-action request finished 91 days ago is still an exception: its period is open and kept.
    expect(
      await q(
        `select count(*)::int as n from lrs.exception_span where request_id = $1 and closed_at is null`,
        [old[0]],
      ),
    ).toEqual([{ n: 1 }]);
    expect(
      await q(
        `select status, last_error is null as cleared from lrs.batch where id = any($1::bigint[]) order by id`,
        [batchIds],
      ),
    ).toEqual([
      { status: 'failed', cleared: true },
      { status: 'completed', cleared: false },
      { status: 'submitted', cleared: false },
    ]);

    const purged = await q<{
      id: number;
      payload: object;
      staff_note: string | null;
      dedupe_key: string | null;
      purged: boolean;
      last_code: string;
      status: string;
    }>(
      `select id, payload, staff_note, dedupe_key, purged_at is not null as purged, last_code, status
         from lrs.request where id = any($1::bigint[]) order by id`,
      [old],
    );
    for (const r of purged)
      expect(r).toMatchObject({
        payload: {},
        staff_note: null,
        dedupe_key: null,
        purged: true,
        last_code: 'WSRC0004',
      });
    const outcomes = await q<{
      uln: string;
      candidates: unknown;
      learner: unknown;
      description: unknown;
      code: string;
    }>(
      `select uln, candidates, learner, description, code from lrs.outcome where request_id = any($1::bigint[]) order by request_id`,
      [old],
    );
    expect(outcomes.map((o) => o.uln)).toEqual([
      '1000000000',
      '1000000001',
      '1000000002',
      '1000000003',
      '1000000004',
    ]);
    expect(outcomes.every((o) => o.candidates === null && o.learner === null && o.description === null)).toBe(
      true,
    );
    expect(
      await q(
        `select subject from lrs.learning_event where request_id = any($1::bigint[]) and subject is not null`,
        [old],
      ),
    ).toEqual([]);
    // The MIS still reads the ULNs.
    const status = await q<{ uln: string }>(
      `select uln from lrs.learner_status where mis_learner_id = 'OLD-1'`,
    );
    expect(status).toEqual([{ uln: '1000000001' }]);
    expect(await q(`select 1 from lrs.audit where request_id = any($1::bigint[])`, [old])).toHaveLength(5);

    const [kept] = await q<{ payload: object; last_error: string; purged_at: Date | null }>(
      `select payload, last_error, purged_at from lrs.request where id = $1`,
      [recent],
    );
    expect(kept).toEqual({ payload: NAME, last_error: 'recent error', purged_at: null });
    const keptEvents = await q<{ subject: string | null; purged: boolean }>(
      `select subject, purged_at is not null as purged from lrs.learning_event where request_id = $1 order by created_at`,
      [recent],
    );
    expect(keptEvents).toEqual([
      { subject: null, purged: true },
      { subject: EVENT.subject, purged: false },
    ]);
    expect(
      await q(`select * from lrs.request where id = any($1::bigint[]) order by id`, [[open, retried]]),
    ).toEqual(openBefore);

    // A purged request cannot be sent again: its payload is gone.
    const retry = await retryRequests(database, [old[1]!], actor);
    expect(retry.done).toEqual([]);
    expect(retry.skipped).toEqual([{ id: old[1], reason: 'wrong_status' }]);

    // Nothing left: the next run purges nothing.
    expect(
      await purgePersonalData({
        pool: database.pool,
        log,
        settings: { requestDays: 90, learningEventDays: 30, chunk: 2 },
      }),
    ).toEqual({
      requests: 0,
      learningEvents: 0,
      batchErrors: 0,
      exceptionSpans: 0,
      more: false,
    });
  });
});
