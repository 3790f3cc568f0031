/**
 * The LRS's free text is personal data (issue 12): a fault's FurtherDetails quoting the learner's names,
 * date of birth and postcode in several wordings is stored without them, for single calls and for a
 * batch; and what is left of it is shown only to staff who may see the payload. An admin without a grant
 * for the organisation sees neither the text nor the values, in the dashboard or the CLI; a granted
 * member of staff sees the redacted text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/kit.ts';
import { runBatches } from '../../src/cli/batches.ts';
import { runRequests } from '../../src/cli/requests.ts';
import { explainCode } from '../../src/codes/table.ts';
import { createDatabase, type Database } from '../../src/db/pool.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import { createCliActor, createStaffActor, type Actor } from '../../src/support/access.ts';
import type { Dashboard } from '../../src/support/dashboard.ts';
import { createFakeIo } from '../helpers/cli-io.ts';
import { startTestDashboard } from '../helpers/dashboard.ts';
import { addStaff } from '../../src/support/staff.ts';
import { createTestClient } from '../e2e/http-client.ts';
import { PASSWORD, TEST_SCRYPT_COST } from '../e2e/seed.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { createTestQueueConnection } from '../helpers/queues.ts';
import { FAST_BATCH_ENV } from './batch-fixtures.ts';

const LEARNER = {
  givenName: 'Zephyrine',
  familyName: 'Quillfeather-Dunmore',
  dateOfBirth: '1999-12-31',
  gender: '2',
  lastKnownPostCode: 'ZE1 0AA',
  verificationType: '1',
  abilityToShare: '1',
};
const OTHER = { ...LEARNER, givenName: 'Bartholomew', familyName: 'Nightingale', dateOfBirth: '2001-03-04' };
/** Every form of the values the fault texts below use, compared without case. */
const NEEDLES = [
  'Zephyrine',
  'Quillfeather',
  'Dunmore',
  '1999-12-31',
  '31/12/1999',
  '31 December 1999',
  'ZE1 0AA',
  'ZE10AA',
  'Bartholomew',
  'Nightingale',
  '2001-03-04',
  '04/03/2001',
];
/** The same fault in three wordings, each quoting the values in its own form. */
const WORDINGS = [
  'Learner {GivenName} {FamilyName} born {DateOfBirth} at {LastKnownPostCode} does not match the ULN.',
  'FAMILY NAME {FamilyName|upper}, given name {GivenName|lower}; DOB {DateOfBirth|ukdate}; postcode {LastKnownPostCode|nospace}',
  'No learner called {FamilyName}, {GivenName} (date of birth {DateOfBirth|longdate}, post code {LastKnownPostCode|lower}).',
];
const HIDDEN = 'which you may not see for this organisation';

function expectNoValues(text: string, where: string): void {
  for (const needle of NEEDLES)
    expect(text.toLowerCase(), `${where} contains ${needle}`).not.toContain(needle.toLowerCase());
}

describe('LRS free text', () => {
  let p: Pipeline;
  let database: Database;
  let queueConnection: QueueConnection;
  let dashboard: Dashboard;
  let base: string;
  const single: number[] = [];
  let batched: number[] = [];
  let batchId: number;
  const achievements: number[] = [];
  let achievementUlns: string[] = [];
  let orgId: number;

  beforeAll(async () => {
    p = await startPipeline({ env: FAST_BATCH_ENV });
    // Single calls: a find by demographics answered with each wording in turn.
    for (const [i, wording] of WORDINGS.entries()) {
      p.simulator.admin.setFaults({ faultDetails: wording, operations: ['learnerByDemographics'] });
      single.push(await p.submit('find_by_demographics', `TEXT-${i}`, LEARNER));
      await p.settle(30_000);
    }
    // A batch: the LRS refuses the whole submission with a fault quoting its first learner.
    p.simulator.admin.setFaults({
      faultDetails: 'Batch refused at learner {GivenName} {FamilyName|upper} ({DateOfBirth|ukdate}).',
      operations: ['submitBatchRegistration'],
    });
    batched = [
      await p.submit('register', 'BATCH-1', LEARNER, { mode: 'batch' }),
      await p.submit('register', 'BATCH-2', OTHER, { mode: 'batch' }),
    ];
    await p.settle(30_000);
    p.simulator.admin.setFaults({ faultDetails: '', operations: [] });

    // Achievements: the job's error file lists each record with text quoting its learner. The learners
    // are registered and verified for the awarding organisation first, so the gate sends them at once.
    await p.sql.query(
      `insert into lrs.organisation (name, organisation_ref, password_ref, default_user_name)
       values ('Simulator Awards', 'SIM001', $1, 'lrs-relay nightly')`,
      [JSON.stringify({ kind: 'env', name: 'LRS_PASSWORD_10000001' })],
    );
    await p.restartRelay();
    const registered = [
      await p.submit('register', 'ACH-1', LEARNER, { mode: 'batch' }),
      await p.submit('register', 'ACH-2', OTHER, { mode: 'batch' }),
    ];
    await p.settle(30_000);
    const ulns = await p.sql.query<{ uln: string }>(
      'select o.uln from lrs.outcome o where o.request_id = any($1::bigint[]) order by o.request_id',
      [registered],
    );
    const learners = [LEARNER, OTHER].map((l, i) => ({
      ...l,
      uln: ulns.rows[i]!.uln,
      misId: `ACH-${i + 1}`,
    }));
    for (const l of learners) {
      const { uln, givenName, familyName, dateOfBirth, gender } = l;
      await p.submit(
        'verify',
        l.misId,
        { uln, givenName, familyName, dateOfBirth, gender },
        { org: 'SIM001' },
      );
    }
    await p.settle(30_000);
    p.simulator.admin.setFaults({
      achievementErrorDetails: 'ULN {Uln} is held by {GivenName|upper} {FamilyName}, not this learner',
    });
    for (const l of learners) {
      achievements.push(
        await p.submit(
          'achievement',
          l.misId,
          {
            uln: l.uln,
            givenName: l.givenName,
            familyName: l.familyName,
            unitOrQualificationReferenceNumber: '60012345',
            achievementAwardDate: '2024-06-01',
            providerUkprn: '10000001',
          },
          { org: 'SIM001', mode: 'batch' },
        ),
      );
    }
    await p.settle(30_000);
    p.simulator.admin.setFaults({ achievementErrorDetails: '' });
    achievementUlns = learners.map((l) => l.uln);

    const b = await p.sql.query<{ batch_id: string; organisation_id: number }>(
      'select batch_id, organisation_id from lrs.request where id = $1',
      [batched[0]],
    );
    batchId = Number(b.rows[0]?.batch_id);
    orgId = b.rows[0]!.organisation_id;
    database = createDatabase({ url: p.db.url, applicationName: 'lrs-text-privacy-test' });
    await addStaff(database, {
      username: 'root',
      password: PASSWORD,
      isAdmin: true,
      cost: TEST_SCRYPT_COST,
    });
    await addStaff(database, {
      username: 'alice',
      password: PASSWORD,
      organisationIds: [orgId],
      cost: TEST_SCRYPT_COST,
    });
    queueConnection = createTestQueueConnection({ prefix: p.prefix, databaseUrl: p.db.url });
    ({ dashboard, url: base } = await startTestDashboard({
      db: database,
      queueConnection,
      config: { METRICS_TOKEN: 'metrics-token-0123456789', QUEUE_PREFIX: p.prefix },
      loginDelayBaseMs: 40,
    }));
  }, 120_000);

  afterAll(async () => {
    await dashboard?.close();
    await queueConnection?.close();
    await database?.close();
    await p?.stop();
  });

  it("stores the LRS's text without the learner's values, whatever the wording, single and batch", async () => {
    const rows = await p.sql.query<{ id: string; status: string; last_error: string; description: string }>(
      `select r.id, r.status, r.last_error, o.description from lrs.request r join lrs.outcome o on o.request_id = r.id
        where r.id = any($1::bigint[]) order by r.id`,
      [[...single, ...batched]],
    );
    expect(rows.rows).toHaveLength(5);
    for (const r of rows.rows) {
      expect(r.status, `request ${r.id}`).toBe('needs_action');
      // The LRS's text was kept (so there was something to redact)...
      expect(r.description).toContain('WSEC0001');
      expect(r.description).toMatch(/\[family name\]/);
      // ...and none of the values, in any form, anywhere it is kept.
      expectNoValues(r.description, `outcome ${r.id}`);
      expectNoValues(r.last_error, `last_error ${r.id}`);
    }
    const first = rows.rows.find((r) => Number(r.id) === single[0])!;
    expect(first.description).toContain(
      'Learner [given name] [family name] born [date of birth] at [postcode] does not match the ULN.',
    );
    const batch = await p.sql.query<{ status: string; last_error: string }>(
      'select status, last_error from lrs.batch where id = $1',
      [batchId],
    );
    expect(batch.rows[0]?.status).toBe('failed');
    expect(batch.rows[0]?.last_error).toContain('Batch refused at learner [given name] [family name]');
    expectNoValues(batch.rows[0]?.last_error ?? '', 'batch last_error');
    expectNoValues(p.logLines.join('\n'), 'the log');
  });

  it("stores an achievement job's error rows without the learner's values", async () => {
    const rows = await p.sql.query<{ status: string; last_error: string; description: string; code: string }>(
      `select r.status, r.last_error, o.description, o.code from lrs.request r join lrs.outcome o on o.request_id = r.id
        where r.id = any($1::bigint[]) order by r.id`,
      [achievements],
    );
    expect(rows.rows).toHaveLength(2);
    for (const r of rows.rows) {
      expect(r).toMatchObject({ status: 'needs_action', code: 'ACHIEVEMENT_REJECTED' });
      expect(r.description).toBe(
        'The LRS rejected this achievement: LearnerDataError: ULN [ULN] is held by [given name] [family name], not this learner',
      );
      expectNoValues(r.description, 'achievement outcome');
      expectNoValues(r.last_error, 'achievement last_error');
      for (const uln of achievementUlns) expect(r.description).not.toContain(uln);
    }
  });

  it('shows the text only to staff who may see the payload, on the dashboard', async () => {
    const root = createTestClient(base);
    await root.logIn('root', PASSWORD);
    const alice = createTestClient(base);
    await alice.logIn('alice', PASSWORD);
    for (const id of [single[1]!, batched[1]!]) {
      const hidden = await (await root.get(`/requests/${id}`)).text();
      expect(hidden).toContain('hidden: not one of your organisations');
      expect(hidden).toContain(HIDDEN);
      expect(hidden).toContain('WSEC0001');
      expect(hidden).toContain(explainCode('WSEC0001').meaning);
      expect(hidden).not.toContain('[family name]');
      expectNoValues(hidden, `root's page of request ${id}`);
      const api = (await (await root.get(`/api/requests/${id}`, { accept: 'application/json' })).json()) as {
        request: { lastError: unknown; lastErrorHidden: boolean };
        outcome: { description: unknown; descriptionHidden: boolean };
      };
      expect(api.request).toMatchObject({ lastError: null, lastErrorHidden: true });
      expect(api.outcome).toMatchObject({ description: null, descriptionHidden: true });

      const shown = await (await alice.get(`/requests/${id}`)).text();
      expect(shown).toContain('[family name]');
      expect(shown).not.toContain(HIDDEN);
    }
    const rootBatches = await (await root.get('/batches')).text();
    expect(rootBatches).toContain(HIDDEN);
    expect(rootBatches).not.toContain('Batch refused');
    expect(await (await alice.get('/batches')).text()).toContain('Batch refused at learner [given name]');
  });

  it('shows the text only to who may see the payload, in the CLI', async () => {
    const run = async (
      fn: (args: string[], ctx: CliContext) => Promise<number>,
      args: string[],
      actor: Actor,
    ) => {
      const io = createFakeIo({ errorsInLines: true });
      expect(await fn(args, { db: database, actor, io })).toBe(0);
      return io.lines.join('\n');
    };
    const admin = createStaffActor({ username: 'root', isAdmin: true, memberOf: [] });
    const granted = createStaffActor({ username: 'alice', isAdmin: false, memberOf: [orgId] });
    for (const id of [single[2]!, batched[0]!]) {
      const hidden = await run(runRequests, ['show', String(id)], admin);
      expect(hidden).toContain(HIDDEN);
      expect(hidden).toContain('WSEC0001');
      expect(hidden).not.toContain('[family name]');
      expectNoValues(hidden, `requests show ${id} for an admin without a grant`);
      const json = await run(runRequests, ['show', String(id), '--json'], admin);
      expect(json).not.toContain('[family name]');
      expect(JSON.parse(json)).toMatchObject({
        request: { lastError: null, lastErrorHidden: true },
        outcome: { description: null, descriptionHidden: true },
      });
      for (const actor of [granted, createCliActor('ops')]) {
        const shown = await run(runRequests, ['show', String(id)], actor);
        expect(shown).toContain('[family name]');
        expect(shown).not.toContain(HIDDEN);
        expectNoValues(shown, `requests show ${id}`);
      }
    }
    const list = await run(runRequests, ['--json'], admin);
    expect(list).not.toContain('[family name]');
    expectNoValues(list, 'requests --json');
    const batches = await run(runBatches, ['--json'], admin);
    const rows = JSON.parse(batches) as { id: number; lastError: unknown; lastErrorHidden: boolean }[];
    expect(rows.find((b) => b.id === batchId)).toMatchObject({ lastError: null, lastErrorHidden: true });
    expect(batches).not.toContain('Batch refused');
    expect(await run(runBatches, ['--json'], granted)).toContain('Batch refused at learner [given name]');
  });
});
