/**
 * Support actions and CLI commands against a real Postgres: the retry/cancel/resolve contracts with
 * the pipeline (status, outcome, audit row, NOTIFY) and what the CLI prints.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBatches } from '../../src/cli/batches.ts';
import { runExceptions } from '../../src/cli/exceptions.ts';
import { runExplain } from '../../src/cli/explain.ts';
import { runLearner } from '../../src/cli/learner.ts';
import { runRequests } from '../../src/cli/requests.ts';
import { runStaff } from '../../src/cli/staff.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { PIPELINE_CODES } from '../../src/codes/pipeline-codes.ts';
import { createCliActor, createStaffActor } from '../../src/support/access.ts';
import { cancelRequests, resolvePossibleMatch, retryRequests } from '../../src/support/actions.ts';
import type { CliContext, CliIo } from '../../src/cli/kit.ts';
import { listOrganisations } from '../../src/support/queries.ts';
import { logIn } from '../../src/support/sessions.ts';
import { PASSWORD, seedSupportData, type Seeded } from '../e2e/seed.ts';
import { createFakeIo } from '../helpers/cli-io.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('support actions and CLI', () => {
  let tdb: TestDatabase;
  let database: Database;
  let s: Seeded;
  const cli = createCliActor('ops');
  const ctx = (io: CliIo): CliContext => ({ db: database, actor: cli, io });
  const row = async (id: number) =>
    (
      await database.pool.query(
        'select status, attempts, last_code, staff_note, completed_at from lrs.request where id = $1',
        [id],
      )
    ).rows[0];
  const auditOf = async (id: number) =>
    (
      await database.pool.query(
        'select operation, code, code_source, duration_ms, user_name from lrs.audit where request_id = $1 order by id',
        [id],
      )
    ).rows;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = createDatabase({ url: tdb.url, applicationName: 'support-actions-test' });
  });
  beforeEach(async () => {
    await database.pool.query(
      'truncate lrs.audit, lrs.outcome, lrs.request, lrs.staff_session, lrs.staff_organisation, lrs.staff_user, lrs.batch, lrs.organisation restart identity cascade',
    );
    s = await seedSupportData(database.pool);
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
  });

  it('retry: outcome deleted, counters cleared, audit row written, lrs_request notified at commit', async () => {
    const listener = new pg.Client({ connectionString: tdb.url });
    await listener.connect();
    try {
      await listener.query('listen lrs_request');
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.payload ?? ''));
      const r = await retryRequests(database, [s.failed, s.tooMany, s.succeeded, s.pending, 999_999], cli);
      expect(r.done).toEqual([s.tooMany, s.failed].sort((a, b) => a - b));
      expect(r.skipped).toEqual(
        expect.arrayContaining([
          { id: s.succeeded, reason: 'wrong_status' },
          { id: s.pending, reason: 'wrong_status' },
          { id: 999_999, reason: 'not_found' },
        ]),
      );
      expect(await row(s.failed)).toMatchObject({ status: 'pending', attempts: 0, last_code: null });
      expect(
        (
          await database.pool.query('select count(*)::int as n from lrs.outcome where request_id = $1', [
            s.failed,
          ])
        ).rows[0].n,
      ).toBe(0);
      expect((await auditOf(s.failed)).at(-1)).toEqual({
        operation: 'relay.retry',
        code: PIPELINE_CODES.RETRY,
        code_source: 'relay',
        duration_ms: 0,
        user_name: 'cli:ops',
      });
      await expect.poll(() => heard.sort()).toEqual([String(s.tooMany), String(s.failed)].sort());
    } finally {
      await listener.end();
    }
  });

  it('retry and cancel never touch another organisation for a staff actor', async () => {
    const bob = createStaffActor({ username: 'bob', isAdmin: false, memberOf: [s.orgB] });
    expect((await retryRequests(database, [s.failed], bob)).skipped).toEqual([
      { id: s.failed, reason: 'not_found' },
    ]);
    expect((await cancelRequests(database, [s.pending], bob)).skipped).toEqual([
      { id: s.pending, reason: 'not_found' },
    ]);
    expect(await row(s.failed)).toMatchObject({ status: 'failed' });
    expect(await row(s.pending)).toMatchObject({ status: 'pending' });
    await expect(resolvePossibleMatch(database, s.possible, '1000000001', bob, '')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('lists only the organisations a staff actor belongs to; admins and the CLI see all', async () => {
    const ids = async (actor: Parameters<typeof listOrganisations>[1]) =>
      (await listOrganisations(database, actor)).map((o) => o.id).sort();
    expect(await ids(createStaffActor({ username: 'bob', isAdmin: false, memberOf: [s.orgB] }))).toEqual([
      s.orgB,
    ]);
    expect(await ids(createStaffActor({ username: 'root', isAdmin: true, memberOf: [] }))).toEqual(
      [s.orgA, s.orgB].sort(),
    );
    expect(await ids(cli)).toEqual([s.orgA, s.orgB].sort());
  });

  it('cancel: only unfinished or needs_action requests, with completed_at and an audit row; progress per chunk', async () => {
    const progress: [number, number][] = [];
    const r = await cancelRequests(database, [s.pending, s.possible, s.succeeded], cli, {
      chunkSize: 2,
      onProgress: (h, t) => progress.push([h, t]),
    });
    expect(r.done.sort()).toEqual([s.pending, s.possible].sort());
    expect(r.skipped).toEqual([{ id: s.succeeded, reason: 'wrong_status' }]);
    expect(progress).toEqual([
      [2, 3],
      [3, 3],
    ]);
    expect((await row(s.pending)).completed_at).toBeInstanceOf(Date);
    expect((await auditOf(s.pending)).at(-1)).toMatchObject({
      operation: 'relay.cancel',
      code: PIPELINE_CODES.CANCEL,
    });
  });

  it('resolve: rejecting every candidate needs a note and leaves the request needing action', async () => {
    await expect(resolvePossibleMatch(database, s.possible, null, cli, '  ')).rejects.toMatchObject({
      code: 'note_required',
    });
    await expect(resolvePossibleMatch(database, s.possible, '9999999999', cli, '')).rejects.toMatchObject({
      code: 'unknown_candidate',
    });
    await expect(resolvePossibleMatch(database, s.tooMany, null, cli, 'x')).rejects.toMatchObject({
      code: 'no_candidates',
    });
    expect(
      await resolvePossibleMatch(database, s.possible, null, cli, 'Different date of birth on passport'),
    ).toEqual({ outcome: 'rejected_all' });
    expect(await row(s.possible)).toMatchObject({
      status: 'needs_action',
      staff_note: 'Different date of birth on passport',
    });
    expect((await auditOf(s.possible)).at(-1)).toMatchObject({
      operation: 'relay.reject-candidates',
      code: PIPELINE_CODES.STAFF_NO_MATCH,
    });
    expect(await resolvePossibleMatch(database, s.possible, '1000000002', cli, '')).toEqual({
      outcome: 'matched',
      uln: '1000000002',
    });
    await expect(resolvePossibleMatch(database, s.possible, '1000000001', cli, '')).rejects.toMatchObject({
      code: 'wrong_status',
    });
    const status = await database.pool.query(
      'select uln, code from lrs.learner_status where request_id = $1',
      [s.possible],
    );
    expect(status.rows[0]).toEqual({ uln: '1000000002', code: 'STAFF_MATCHED' });
  });

  it('CLI requests: show compares the candidates, resolve chooses one or none as the dashboard does', async () => {
    const show = createFakeIo();
    expect(await runRequests(['show', String(s.possible)], ctx(show))).toBe(0);
    const text = show.lines.join('\n');
    expect(text).toContain('2 candidate learner(s)');
    expect(text).toMatch(/Date of birth\s+2005-01-02\s+2005-01-02\s+2005-02-01 \*/);
    expect(text).toMatch(/ULN\s+1000000001\s+1000000002/);
    expect(text).toContain(`lrs-relay requests resolve ${s.possible} --candidate N`);

    const bad = createFakeIo();
    expect(await runRequests(['resolve', String(s.possible), '--candidate', '3', '--yes'], ctx(bad))).toBe(2);
    expect(bad.errors.join()).toMatch(/has no candidate 3 \(it has 2/);
    const both = createFakeIo();
    expect(
      await runRequests(['resolve', String(s.possible), '--candidate', '1', '--none', 'x'], ctx(both)),
    ).toBe(2);
    const unasked = createFakeIo();
    expect(await runRequests(['resolve', String(s.possible), '--candidate', '2'], ctx(unasked))).toBe(2);
    expect(unasked.errors.join()).toMatch(/Record ULN 1000000002 .* Add --yes/);
    const declined = createFakeIo({ interactive: true, answers: ['n'] });
    expect(await runRequests(['resolve', String(s.possible), '--none', 'Not her'], ctx(declined))).toBe(1);
    expect(await row(s.possible)).toMatchObject({ status: 'needs_action', staff_note: null });

    const none = createFakeIo({ interactive: true, answers: ['y'] });
    expect(await runRequests(['resolve', String(s.possible), '--none', 'Not her'], ctx(none))).toBe(0);
    expect(await row(s.possible)).toMatchObject({ status: 'needs_action', staff_note: 'Not her' });
    const noNote = createFakeIo();
    expect(await runRequests(['resolve', String(s.possible), '--none', ' ', '--yes'], ctx(noNote))).toBe(1);
    expect(noNote.errors.join()).toMatch(/say why every candidate was rejected/);

    const chosen = createFakeIo();
    expect(await runRequests(['resolve', String(s.possible), '--candidate', '2', '--yes'], ctx(chosen))).toBe(
      0,
    );
    expect(chosen.lines.join()).toContain('ULN 1000000002 recorded');
    expect(await row(s.possible)).toMatchObject({ status: 'succeeded', last_code: 'STAFF_MATCHED' });
    expect((await auditOf(s.possible)).at(-1)).toMatchObject({
      operation: 'relay.resolve-match',
      user_name: 'cli:ops',
    });
  });

  it('CLI requests: list as JSON, show with attempts and resolution, retry by filter only when confirmed', async () => {
    const io = createFakeIo();
    expect(
      await runRequests(['--status', 'failed,needs_action', '--org', '10000001', '--json'], ctx(io)),
    ).toBe(0);
    expect((JSON.parse(io.lines[0]!) as { id: number }[]).map((r) => r.id).sort()).toEqual(
      [s.tooMany, s.possible, s.failed].sort(),
    );

    const show = createFakeIo();
    expect(await runRequests(['show', String(s.tooMany)], ctx(show))).toBe(0);
    const text = show.lines.join('\n');
    expect(text).toContain('WSRC0002');
    expect(text).toContain(s.resolutionWsrc0002);
    expect(text).toMatch(/learnerByDemographics\s+1\s+WSRC0002/);

    const refused = createFakeIo();
    expect(await runRequests(['retry', '--status', 'failed'], ctx(refused))).toBe(2);
    expect(refused.errors.join()).toMatch(/2 request\(s\) match; add --yes/);
    const declined = createFakeIo({ interactive: true, answers: ['n'] });
    expect(await runRequests(['retry', '--status', 'failed', '--org', '10000001'], ctx(declined))).toBe(1);
    expect(await row(s.failed)).toMatchObject({ status: 'failed' });
    const accepted = createFakeIo({ interactive: true, answers: ['y'] });
    expect(await runRequests(['retry', '--status', 'failed', '--org', '10000001'], ctx(accepted))).toBe(0);
    expect(accepted.lines).toContain('Retried 1 request(s).');
    expect(accepted.progressLines).toContain('retry: 1/1');
    expect(await row(s.failed)).toMatchObject({ status: 'pending' });
    expect(await row(s.otherFailed)).toMatchObject({ status: 'failed' });

    const byId = createFakeIo();
    expect(await runRequests(['cancel', String(s.pending), String(s.succeeded), '--json'], ctx(byId))).toBe(
      0,
    );
    expect(JSON.parse(byId.lines[0]!)).toEqual({
      done: [s.pending],
      skipped: [{ id: s.succeeded, reason: 'wrong_status' }],
    });
    expect(await runRequests(['retry'], ctx(createFakeIo()))).toBe(2);
  });

  it('CLI exceptions, explain, learner and batches', async () => {
    const ex = createFakeIo();
    expect(await runExceptions([], ctx(ex))).toBe(0);
    expect(ex.lines.join('\n')).toContain(`what to do  ${s.resolutionWsrc0002}`);
    expect(ex.lines.some((l) => /^TIMEOUT\s+failed\s+2 request\(s\) in 2 organisations/.test(l))).toBe(true);

    const known = createFakeIo();
    expect(await runExplain(['wsrc0002'], ctx(known))).toBe(0);
    expect(known.lines.join('\n')).toContain(s.resolutionWsrc0002);
    const unknown = createFakeIo();
    expect(await runExplain(['WSRC9999'], ctx(unknown))).toBe(1);
    expect(unknown.lines[0]).toBe('WSRC9999 is not in the catalogue of LRS and lrs-relay codes.');
    // Not catalogued as typed, but close: said so, and the nearest code explained.
    const near = createFakeIo();
    expect(await runExplain(['wsrc3'], ctx(near))).toBe(1);
    expect(near.lines.slice(0, 2)).toEqual([
      'wsrc3 is not in the catalogue of LRS and lrs-relay codes.',
      'The nearest code in the catalogue is WSRC0003:',
    ]);
    expect(near.lines.join('\n')).toContain('Possible match');
    const nearJson = createFakeIo();
    expect(await runExplain(['rc6', '--json'], ctx(nearJson))).toBe(1);
    expect(JSON.parse(nearJson.lines[0]!)).toMatchObject({
      known: false,
      nearest: { code: 'RC006', class: 'data_error' },
    });
    // Every code the LRS was found to send (issue 22) has its meaning and advice, as seeded in the database.
    for (const code of [
      'WSRC0030',
      'WSRC0043',
      'WSEC0044',
      'WSEC0045',
      'WSEC0046',
      'WSEC0047',
      'WCEC0999',
      'WSEC0999',
      'WSEC0206',
      'RC006',
      'RC011',
      'RC013',
    ]) {
      const io = createFakeIo();
      expect(await runExplain([code], ctx(io)), code).toBe(0);
      expect(io.lines.join('\n'), code).toMatch(/meaning {5}\S[\s\S]*what to do {2}\S/);
    }
    const rc006 = createFakeIo();
    await runExplain(['RC006'], ctx(rc006));
    expect(rc006.lines).toContain('  class       data_error');

    const learner = createFakeIo();
    expect(await runLearner(['1000000003'], ctx(learner))).toBe(0);
    expect(learner.lines.join('\n')).toMatch(
      /STU-OK\s+find_by_demographics\s+succeeded\s+WSRC0004\s+1000000003/,
    );
    expect(await runLearner(['STU-NOBODY'], ctx(createFakeIo()))).toBe(1);

    const batches = createFakeIo();
    expect(await runBatches([], ctx(batches))).toBe(0);
    expect(batches.lines).toEqual(['No batches.']);
  });

  it('CLI exceptions: every group a person must act on, LOCAL_VALIDATION rejections included, most urgent first', async () => {
    // Five requests our own validation refused (the largest group) and one the LRS refused for the
    // organisation's set-up (a configuration fault: nothing of that organisation can succeed until fixed).
    await database.pool.query(
      `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, completed_at)
       select $1::int, 'mis.user', 'register', 'STU-BAD-' || i, '{"givenName":"A"}'::jsonb, 'rejected', 'LOCAL_VALIDATION', now()
         from generate_series(1, 5) i
       union all
       select $1::int, 'mis.user', 'achievement', 'STU-AO', '{"givenName":"B"}'::jsonb, 'needs_action', 'WSRC0043', now()`,
      [s.orgA],
    );
    const io = createFakeIo();
    expect(await runExceptions(['--json'], ctx(io))).toBe(0);
    const groups = JSON.parse(io.lines.join('\n')) as { status: string; code: string; count: number }[];
    // Configuration first, then what ran out of retries, then what needs a decision, then what the MIS
    // must correct, whatever the sizes.
    expect(groups.map((g) => `${g.status} ${g.code} ${g.count}`)).toEqual([
      'needs_action WSRC0043 1',
      'failed TIMEOUT 2',
      'needs_action WSRC0003 2',
      'needs_action WSRC0002 1',
      'rejected LOCAL_VALIDATION 5',
    ]);
    const text = createFakeIo();
    expect(await runExceptions([], ctx(text))).toBe(0);
    expect(text.lines).toContain('LOCAL_VALIDATION  rejected  5 request(s)');
  });

  it('CLI staff: passwords from stdin or a named environment variable, never argv; accounts can log in', async () => {
    const add = createFakeIo({ secrets: ['a very long password'] });
    expect(await runStaff(['add', 'dave', '--org', '10000002'], ctx(add))).toBe(0);
    expect((await logIn(database, 'dave', 'a very long password')).ok).toBe(true);
    const viaEnv = createFakeIo();
    expect(
      await runStaff(['add', 'erin', '--admin', '--password-env', 'ERIN_PW'], ctx(viaEnv), {
        ERIN_PW: 'another long password',
      }),
    ).toBe(0);
    expect((await logIn(database, 'erin', 'another long password')).ok).toBe(true);
    const weak = createFakeIo({ secrets: ['short'] });
    expect(await runStaff(['add', 'frank'], ctx(weak))).toBe(1);
    expect(weak.errors.join()).toMatch(/at least 12 characters/);
    const mismatch = createFakeIo({ interactive: true, secrets: ['first password 1', 'second password 2'] });
    expect(await runStaff(['passwd', 'dave'], ctx(mismatch))).toBe(1);
    expect(await runStaff(['grant', 'dave', '--org', '10000001'], ctx(createFakeIo()))).toBe(0);
    const list = createFakeIo();
    expect(await runStaff(['list', '--json'], ctx(list))).toBe(0);
    const dave = (JSON.parse(list.lines[0]!) as { username: string; organisations: string[] }[]).find(
      (u) => u.username === 'dave',
    );
    expect(dave?.organisations).toEqual(['10000001 Alpha College', '10000002 Beta College']);
    // A password on the command line is not an option at all.
    await expect(runStaff(['add', 'gina', '--password', PASSWORD], ctx(createFakeIo()))).rejects.toThrow(
      /Unknown option/,
    );
  });
});
