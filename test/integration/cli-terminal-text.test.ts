/**
 * Stored text holding terminal controls (ESC, BEL, C1 CSI), direction controls (U+202E, U+061C) and
 * invisible format characters (U+200B, the interlinear annotations U+FFF9–U+FFFB, a tag character)
 * reaches the terminal only as visible escapes, through every CLI view of requests, learners and exceptions, in tables, detail
 * views and --json; and a staff note holding them is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/kit.ts';
import { runExceptions } from '../../src/cli/exceptions.ts';
import { formatReport } from '../../src/cli/import.ts';
import { runLearner } from '../../src/cli/learner.ts';
import { runRequests } from '../../src/cli/requests.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import { resolvePossibleMatch } from '../../src/support/actions.ts';
import { createCliActor } from '../../src/support/access.ts';
import { createFakeIo } from '../helpers/cli-io.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

// Retitles the window, clears the screen, rings the bell; then an 8-bit CSI and a right-to-left override;
// then an Arabic letter mark, a zero-width space, text hidden between interlinear annotation marks and a
// tag character (outside the Basic Multilingual Plane).
const HOSTILE = '\x1b]0;owned\x07\x1b[2J\x9b31m\u202Etxt.exe\u061C\u200B\uFFF9hidden\uFFFA\uFFFB\u{E0041}';
// Every control, format or direction character but the line breaks that separate output lines.
const RAW = /[^\P{Cc}\n]|[\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

let tdb: TestDatabase;
let database: Database;
let requestId: number;
const actor = createCliActor('ops');

beforeAll(async () => {
  tdb = await createTestDatabase();
  database = createDatabase({ url: tdb.url, applicationName: 'cli-terminal-text-test' });
  const org = await database.pool.query(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
     values ('Test College', '10000001', '{"kind":"env","name":"X"}', 'nightly') returning id`,
  );
  // Written directly, as rows stored before lrs.submit_request refused control characters would be.
  const r = await database.pool.query(
    `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, last_error, staff_note)
     values ($1, $2, 'register', $3, $4::jsonb, 'needs_action', $5, $6, $7) returning id`,
    [
      org.rows[0].id,
      'j\x1b[8m',
      `S1${HOSTILE}`,
      JSON.stringify({ givenName: `Ann${HOSTILE}` }),
      `WSRC0004${HOSTILE}`,
      `error ${HOSTILE}`,
      `note ${HOSTILE}`,
    ],
  );
  requestId = Number(r.rows[0].id);
  await database.pool.query(
    `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, description, failure_flags)
     values ($1, $2, 'WSRC0004', 'lrs', 'needs_action', $3, $4)`,
    [requestId, org.rows[0].id, `described ${HOSTILE}`, [`flag${HOSTILE}`]],
  );
});
afterAll(async () => {
  await database?.close();
  await tdb?.drop();
});

async function run(fn: (args: string[], ctx: CliContext) => Promise<number>, args: string[]) {
  const io = createFakeIo({ errorsInLines: true });
  await fn(args, { db: database, actor, io });
  return io.lines.join('\n');
}

describe('CLI output of stored text', () => {
  it.each<[string, (args: string[], ctx: CliContext) => Promise<number>, () => string[]]>([
    ['requests (table)', runRequests, () => []],
    ['requests --json', runRequests, () => ['--json']],
    ['requests show', runRequests, () => ['show', String(requestId)]],
    ['requests show --json', runRequests, () => ['show', String(requestId), '--json']],
    ['learner', runLearner, () => [`S1${HOSTILE}`]],
    ['learner --json', runLearner, () => [`S1${HOSTILE}`, '--json']],
    ['exceptions', runExceptions, () => []],
    ['exceptions --json', runExceptions, () => ['--json']],
  ])('%s shows control characters only as escapes', async (_label, fn, args) => {
    const out = await run(fn, args());
    expect(out).toMatch(/\\(x1b|u001b)/); // the stored value is there, escaped
    expect(out).not.toMatch(RAW);
  });

  it('requests show escapes each stored field', async () => {
    const out = await run(runRequests, ['show', String(requestId)]);
    expect(out).toContain(
      'last error  error \\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202etxt.exe\\u061c\\u200b\\ufff9hidden\\ufffa\\ufffb\\u{e0041}',
    );
    expect(out).toContain('staff note  note \\x1b]0;owned');
    expect(out).toContain('requested by j\\x1b[8m');
    expect(out).toContain('described \\x1b]0;owned');
  });

  it('--json output stays the same JSON value', async () => {
    const out = await run(runRequests, ['show', String(requestId), '--json']);
    const parsed = JSON.parse(out) as { request: { lastError: string } };
    expect(parsed.request.lastError).toBe(`error ${HOSTILE}`);
  });
});

describe('import report', () => {
  it("shows the file's column names, values and problems with control characters escaped", () => {
    const out = formatReport(`mis${HOSTILE}.csv`, {
      kind: 'register',
      organisation: `10000001 Test College${HOSTILE}`,
      dryRun: true,
      rows: 1,
      submitted: 0,
      alreadyQueued: 0,
      rejectedRows: 1,
      rejections: [
        { row: 1, line: 2, field: 'givenName', column: `first${HOSTILE}`, problem: `bad value${HOSTILE}` },
      ],
      ignoredColumns: [`extra${HOSTILE}`],
      defaults: { verificationType: `0${HOSTILE}` },
    });
    expect(out).toContain('(column first\\x1b]0;owned');
    expect(out).toContain('Ignored columns: extra\\x1b]0;owned');
    expect(out).not.toMatch(RAW);
  });
});

describe('staff notes', () => {
  it('a note holding control characters is refused with a clear error, and nothing is stored', async () => {
    await expect(
      resolvePossibleMatch(database, requestId, null, actor, 'rejected \x1b[2J all'),
    ).rejects.toMatchObject({
      code: 'note_control_characters',
      message: expect.stringMatching(/control characters/),
    });
    for (const hidden of ['a\u202Eb', 'a\u061Cb', 'a\u200Bb', 'a\uFFF9b\uFFFBc', 'a\u{E0041}b'])
      await expect(resolvePossibleMatch(database, requestId, null, actor, hidden)).rejects.toMatchObject({
        code: 'note_control_characters',
      });
    const row = await database.pool.query('select staff_note from lrs.request where id = $1', [requestId]);
    expect(row.rows[0].staff_note).toBe(`note ${HOSTILE}`);
  });
});
