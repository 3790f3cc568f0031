/**
 * Every operation and outcome of the simulator, driven through the project's LRS client.
 * No Postgres or Redis needed: one simulator on 127.0.0.1, reset before each test, closed at the end.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLrsClient } from '../../src/lrs/client.ts';
import { isLrsError, type LrsError } from '../../src/lrs/errors.ts';
import type { LrsClient, LrsIdentity } from '../../src/lrs/types.ts';
import { isValidUln } from '../../src/lrs/uln.ts';
import { createSimulator, DEFAULT_ORGANISATION, type Simulator } from '../../src/simulator/index.ts';

const id: LrsIdentity = { ukprn: '10000001', password: 'Simulator-Pass16', userName: 'tester@example.org' };
const ext: LrsIdentity = {
  organisationRef: 'SIM001',
  password: 'Simulator-Pass16',
  userName: 'tester@example.org',
};
const restricted: LrsIdentity = {
  ukprn: '10000002',
  password: 'Restricted-Pw-16',
  userName: 'tester@example.org',
};

const sample = {
  familyName: 'Testname',
  givenName: 'Sample',
  dateOfBirth: '1976-08-16',
  gender: '2',
  lastKnownPostCode: 'CV49EE',
};
const linkedSearch = {
  familyName: 'Test',
  givenName: 'Sample',
  dateOfBirth: '1985-03-27',
  gender: '1',
  lastKnownPostCode: 'AB125EQ',
};
const jane = {
  givenName: 'Jane',
  familyName: 'Example',
  dateOfBirth: '2005-02-28',
  gender: '2',
  lastKnownPostCode: 'CV4 9EE',
  verificationType: '0',
  abilityToShare: '1',
};

let sim: Simulator;
let lrs: LrsClient;

async function lrsError(p: Promise<unknown>): Promise<LrsError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isLrsError(e)) throw new Error(`expected an LrsError, got ${String(e)}`);
  return e;
}

beforeAll(async () => {
  sim = await createSimulator({
    batchTiming: { inProgressAfterMs: 30, doneAfterMs: 120 },
    organisations: [
      { ...DEFAULT_ORGANISATION },
      { ukprn: '10000002', password: 'Restricted-Pw-16', operations: ['learnerByDemographics'] },
    ],
  }).listen();
  lrs = createLrsClient({ endpoints: sim.endpoints, allowInsecureHttp: true, timeoutMs: 5000 });
});

afterAll(async () => {
  await lrs.close();
  await sim.close();
});

beforeEach(() => sim.admin.reset());

describe('learnerByDemographics', () => {
  it('gives every outcome for the captured demographics', async () => {
    const exact = await lrs.learnerByDemographics(id, sample);
    expect(exact).toMatchObject({
      code: 'WSRC0004',
      outcome: 'exact',
      learner: { uln: '1026893096', versionNumber: 1 },
    });
    const linked = await lrs.learnerByDemographics(id, linkedSearch);
    expect(linked).toMatchObject({
      code: 'WSRC0022',
      outcome: 'linked',
      learner: { uln: '6936002314', masterSubstituted: 'Y', linkedUlns: ['4444599390'] },
    });
    const possible = await lrs.learnerByDemographics(id, {
      familyName: 'Evans',
      givenName: 'Abbie',
      dateOfBirth: '1994-02-06',
      gender: '2',
      lastKnownPostCode: 'LU49QZ',
    });
    expect(
      possible.outcome === 'possible' &&
        possible.candidates.map((c) => [c.uln, c.lastKnownPostCode, c.gender]),
    ).toEqual([['7667649978', 'LU4 9QX', '9']]);
    expect(
      await lrs.learnerByDemographics(id, {
        ...sample,
        familyName: 'Everybody',
        givenName: 'Everybody',
        dateOfBirth: '2000-01-01',
      }),
    ).toMatchObject({ code: 'WSRC0002', outcome: 'too_many' });
    expect(
      await lrs.learnerByDemographics(id, {
        ...sample,
        familyName: 'Nobody',
        givenName: 'Nobody',
        dateOfBirth: '2000-01-01',
      }),
    ).toMatchObject({ code: 'WSRC0001', outcome: 'no_match' });
    expect(sim.admin.stats().calls.learnerByDemographics).toBe(5);
  });

  it('reaches the synthetic examples of each outcome', async () => {
    const ex = sim.admin.examples();
    const outcomes = await Promise.all(
      (['exact', 'possible', 'tooMany', 'linked', 'none'] as const).map(
        async (k) => (await lrs.learnerByDemographics(id, ex[k] ?? sample)).outcome,
      ),
    );
    expect(outcomes).toEqual(['exact', 'possible', 'too_many', 'linked', 'no_match']);
  });
});

describe('learnerByULN', () => {
  it('finds by ULN and names, substitutes the master for a merged ULN, and misses on wrong names', async () => {
    expect(
      await lrs.learnerByUln(id, { uln: '1026893096', familyName: 'TESTNAME', givenName: 'sample' }),
    ).toMatchObject({ outcome: 'exact', learner: { uln: '1026893096' } });
    expect(
      await lrs.learnerByUln(id, { uln: '4444599390', familyName: 'Test', givenName: 'Sample' }),
    ).toMatchObject({ code: 'WSRC0022', learner: { uln: '6936002314' } });
    expect(
      await lrs.learnerByUln(id, { uln: '1026893096', familyName: 'Other', givenName: 'Sample' }),
    ).toMatchObject({ code: 'WSRC0001', outcome: 'no_match' });
  });
});

describe('registerSingleLearner', () => {
  it('requires a FUL search first, issues a valid ULN, and refuses (and counts) a duplicate', async () => {
    expect(await lrs.registerSingleLearner(id, jane)).toMatchObject({ code: 'WSRC0021', outcome: 'refused' });
    expect((await lrs.learnerByDemographics(id, jane)).outcome).toBe('no_match');
    const registered = await lrs.registerSingleLearner(id, jane);
    expect(registered).toMatchObject({ code: 'WSRC0005', outcome: 'registered' });
    expect(isValidUln(registered.uln ?? '')).toBe(true);
    expect(await lrs.learnerByDemographics(id, jane)).toMatchObject({
      outcome: 'exact',
      learner: { uln: registered.uln },
    });
    expect(await lrs.registerSingleLearner(id, jane)).toMatchObject({ code: 'WSRC0021' });
    expect(sim.admin.stats()).toMatchObject({ registrations: 1, duplicateRegistrations: 1 });
  });
});

describe('updateSingleLearner', () => {
  it('answers stale version, unknown ULN, no change and updated (bumping the version)', async () => {
    const base = {
      ...sample,
      lastKnownPostCode: 'CV4 9EE',
      verificationType: '1',
      abilityToShare: '1',
      uln: '1026893096',
    };
    expect(await lrs.updateSingleLearner(id, { ...base, versionNumber: 7 })).toMatchObject({
      code: 'WSRC0013',
      outcome: 'stale_version',
    });
    expect(await lrs.updateSingleLearner(id, { ...base, uln: '9276308686', versionNumber: 1 })).toMatchObject(
      { code: 'WSRC0019', outcome: 'uln_not_found' },
    );
    expect(await lrs.updateSingleLearner(id, { ...base, versionNumber: 1 })).toMatchObject({
      code: 'WSRC0020',
      outcome: 'no_change',
    });
    expect(
      await lrs.updateSingleLearner(id, { ...base, lastKnownPostCode: 'CV1 1AA', versionNumber: 1 }),
    ).toMatchObject({ code: 'WSRC0006', outcome: 'updated' });
    expect(
      await lrs.learnerByUln(id, { uln: '1026893096', familyName: 'Testname', givenName: 'Sample' }),
    ).toMatchObject({ learner: { versionNumber: 2, lastKnownPostCode: 'CV1 1AA' } });
  });
});

describe('verifyLearner', () => {
  it('returns each WSVRC code with its failure flags', async () => {
    const v = async (uln: string, familyName: string, givenName: string, dateOfBirth?: string) =>
      (await lrs.verifyLearner(id, { uln, familyName, givenName, dateOfBirth })).verified;
    expect(await v('1026893096', 'Testname', 'Sample', '1976-08-16')).toMatchObject({
      responseCode: 'WSVRC001',
      uln: '1026893096',
      failureFlags: [],
    });
    expect(await v('4444599390', 'Test', 'Sample')).toMatchObject({
      responseCode: 'WSVRC002',
      uln: '6936002314',
    });
    expect(await v('1026893096', 'Testname', 'Sample', '1976-08-17')).toMatchObject({
      responseCode: 'WSVRC003',
      failureFlags: ['VRF7'],
    });
    expect(await v('4444599390', 'Test', 'Sample', '1985-03-28')).toMatchObject({
      responseCode: 'WSVRC004',
      failureFlags: ['VRF7'],
    });
    const mismatch = await v('1026893096', 'Jones', 'Oliver');
    expect(mismatch.responseCode).toBe('WSVRC005');
    expect(mismatch.uln).toBeUndefined();
    expect(mismatch.failureFlags).toEqual(expect.arrayContaining(['VRF1', 'VRF5']));
    expect(await v('9276308686', 'Testname', 'Sample')).toMatchObject({ responseCode: 'WSVRC006' });
  });
});

describe('retrieveULNs', () => {
  it('reports current, merged (with master) and unknown ULNs', async () => {
    const r = await lrs.retrieveUlns(id, ['1026893096', '4444599390', '9276308686']);
    expect(r.ulns).toMatchObject([
      { uln: '1026893096', responseCode: 'WSRC0004' },
      { uln: '4444599390', masterUln: '6936002314', responseCode: 'WSRC0022' },
      { uln: '9276308686', responseCode: 'WSRC0001' },
    ]);
  });
});

describe('GetLearnerLearningEvents and LearnerByUln (R9)', () => {
  it('returns the PLR, the linked substitution and the sharing and verification gates', async () => {
    const found = await lrs.getLearnerLearningEvents(id, {
      uln: '1174112637',
      givenName: 'TestOne',
      familyName: 'TesterOne',
      dateOfBirth: '1980-11-01',
      gender: '1',
    });
    expect(found).toMatchObject({ code: 'WSRC0004', outcome: 'found', foundUln: '1174112637' });
    expect(found.events.map((e) => e.id)).toEqual([2931, 2932, 252, 253, 254, 255, 38075232]);
    const linked = await lrs.getLearnerLearningEvents(id, {
      uln: '4444599390',
      givenName: 'Sample',
      familyName: 'Test',
    });
    expect(linked).toMatchObject({
      code: 'WSRC0022',
      outcome: 'linked',
      foundUln: '6936002314',
      incomingUln: '4444599390',
    });
    expect(linked.events).toHaveLength(18);
    expect(
      await lrs.getLearnerLearningEvents(id, {
        uln: '1026922983',
        givenName: 'Sample',
        familyName: 'Private',
      }),
    ).toMatchObject({ code: 'WSEC0206', outcome: 'not_shared', foundUln: '1026922983', events: [] });
    expect(
      await lrs.getLearnerLearningEvents(id, {
        uln: '1174112637',
        givenName: 'Wrong',
        familyName: 'TesterOne',
      }),
    ).toMatchObject({ code: 'WSEC0208', outcome: 'not_verified', events: [] });
  });

  it('reads the learner record by ULN on R9', async () => {
    expect(
      await lrs.learnerByUlnR9(id, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
    ).toMatchObject({
      code: 'WSRC0004',
      uln: '1026893096',
      learner: { uln: '1026893096', versionNumber: '1' },
    });
  });
});

describe('batch registration', () => {
  it('runs find-then-register per learner, moves through WSRC0008 to done and echoes each MISIdentifier', async () => {
    const submitted = await lrs.submitBatchRegistration(id, {
      jobType: 'FUL',
      learners: [
        { misIdentifier: 'STU-1', ...sample, lastKnownPostCode: 'CV4 9EE' },
        { misIdentifier: 'STU-2', ...jane },
        {
          misIdentifier: 'STU-3',
          familyName: 'Evans',
          givenName: 'Abbie',
          dateOfBirth: '1994-02-06',
          gender: '2',
          lastKnownPostCode: 'LU4 9QZ',
        },
        { misIdentifier: 'STU-4', uln: '4444599390', familyName: 'Test', givenName: 'Sample' },
      ],
    });
    expect(submitted).toMatchObject({ code: 'WSRC0007' });
    const jobId = submitted.jobId ?? '';
    expect((await lrs.getBatchRegistrationOutput(id, jobId)).state).toBe('running');
    const out = await vi.waitFor(
      async () => {
        const r = await lrs.getBatchRegistrationOutput(id, jobId);
        if (r.state !== 'done') throw new Error(r.state);
        return r;
      },
      { timeout: 3000, interval: 40 },
    );
    expect(out.counters).toEqual({
      newLearnersCount: 1,
      existsUpdatedLearnersCount: 2,
      possibleMatchLearnersCount: 1,
      learnersNotFoundCount: 0,
      rejectedLearnersCount: 0,
    });
    expect(out.learners.map((l) => [l.misIdentifier, l.returnCode])).toEqual([
      ['STU-1', 'RC002'],
      ['STU-2', 'RC001'],
      ['STU-3', 'RC008'],
      ['STU-4', 'RC003'],
    ]);
    expect(out.learners[0]?.uln).toBe('1026893096');
    expect(isValidUln(out.learners[1]?.uln ?? '')).toBe(true);
    expect(out.learners[3]?.uln).toBe('6936002314');
    const stats = sim.admin.stats();
    expect(stats.registrations).toBe(1);
    expect(stats.misIdentifiers.registration).toMatchObject({ records: 4, distinct: 4, repeated: 0 });
    expect(sim.admin.submissions('registration')).toEqual({ 'STU-1': 1, 'STU-2': 1, 'STU-3': 1, 'STU-4': 1 });
    expect((await lrs.getBatchRegistrationOutput(id, '999999999')).state).toBe('unknown_job');
  });

  it('reports not found without registering in a CHK job', async () => {
    const { jobId } = await lrs.submitBatchRegistration(id, {
      jobType: 'CHK',
      learners: [{ misIdentifier: 'A', ...jane }],
    });
    const out = await vi.waitFor(async () => {
      const r = await lrs.getBatchRegistrationOutput(id, jobId ?? '');
      if (r.state === 'running') throw new Error('running');
      return r;
    });
    expect(out).toMatchObject({ state: 'done', counters: { learnersNotFoundCount: 1, newLearnersCount: 0 } });
    expect(sim.admin.stats().registrations).toBe(0);
  });
});

describe('verify batch', () => {
  it('verifies every learner and carries the MISIdentifier', async () => {
    const { jobId } = await lrs.submitVerifyBatch(id, {
      learners: [
        { misIdentifier: 'V-1', uln: '1026893096', familyName: 'Testname', givenName: 'Sample' },
        { misIdentifier: 'V-2', uln: '9276308686', familyName: 'Testname', givenName: 'Sample' },
      ],
    });
    const out = await vi.waitFor(async () => {
      const r = await lrs.getVerifyBatchOutput(id, jobId ?? '');
      if (r.state !== 'done') throw new Error(r.state);
      return r;
    });
    expect(out.learners.map((l) => [l.misIdentifier, l.responseCode])).toEqual([
      ['V-1', 'WSVRC001'],
      ['V-2', 'WSVRC006'],
    ]);
  });
});

describe('achievement batch', () => {
  it('loads valid achievements onto the PLR and counts learner data errors', async () => {
    const a = {
      achievementAwardDate: '2024-07-31',
      action: 1,
      actionDate: '2024-08-01',
      providerUkprn: '10030488',
      unitOrQualificationReferenceNumber: '60312345',
      grade: 'Pass',
    };
    const submitted = await lrs.submitAchievementBatchJob(ext, {
      achievements: [
        { ...a, uln: '1174112637', givenName: 'TestOne', familyName: 'TesterOne', misIdentifier: 'ACH-1' },
        { ...a, uln: '9276308686', givenName: 'Nobody', familyName: 'Nobody', misIdentifier: 'ACH-2' },
      ],
    });
    expect(submitted.jobId).toBeGreaterThan(0);
    const first = await lrs.getAchievementBatchJob(ext, submitted.jobId ?? 0);
    expect(first.state).toBe('running');
    const done = await vi.waitFor(async () => {
      const r = await lrs.getAchievementBatchJob(ext, submitted.jobId ?? 0);
      if (r.state === 'running') throw new Error('running');
      return r;
    });
    expect(done).toMatchObject({
      state: 'done',
      status: 'Successful',
      numberOfRecords: 2,
      achievementsCreated: 1,
      learnerDataErrors: 1,
      percentageSuccessfulRecords: 50,
    });
    const plr = await lrs.getLearnerLearningEvents(id, {
      uln: '1174112637',
      givenName: 'TestOne',
      familyName: 'TesterOne',
    });
    expect(plr.events.at(-1)).toMatchObject({ source: 'AO', subjectCode: '60312345', grade: 'Pass' });
  });
});

describe('organisations and injected faults', () => {
  it('answers WSEC0003, WSEC0005 and WSEC0006 faults', async () => {
    expect(await lrsError(lrs.learnerByDemographics({ ...id, ukprn: '99999999' }, sample))).toMatchObject({
      code: 'WSEC0003',
      codeSource: 'lrs',
    });
    expect(
      await lrsError(lrs.learnerByDemographics({ ...id, password: 'Wrong-Password16' }, sample)),
    ).toMatchObject({ code: 'WSEC0005' });
    expect((await lrs.learnerByDemographics(restricted, sample)).outcome).toBe('exact');
    expect(await lrsError(lrs.registerSingleLearner(restricted, jane))).toMatchObject({ code: 'WSEC0006' });
    expect(
      await lrsError(
        lrs.getLearnerLearningEvents(
          { ...id, password: 'Wrong-Password16' },
          { uln: '1174112637', givenName: 'TestOne', familyName: 'TesterOne' },
        ),
      ),
    ).toMatchObject({ code: 'WSEC0005' });
  });

  it('goes into maintenance, out of hours and error modes on request', async () => {
    sim.admin.setFaults({ maintenance: true });
    expect(await lrsError(lrs.learnerByDemographics(id, sample))).toMatchObject({
      code: 'LRS_MAINTENANCE',
      httpStatus: 405,
      retryable: true,
    });
    sim.admin.setFaults({ maintenance: false, outOfHours: true });
    expect(await lrsError(lrs.learnerByDemographics(id, sample))).toMatchObject({
      code: 'WSEC0004',
      retryable: true,
    });
    sim.admin.setFaults({ outOfHours: false, errorRate: 1 });
    expect(await lrsError(lrs.learnerByDemographics(id, sample))).toMatchObject({
      httpStatus: 500,
      codeSource: 'relay',
    });
    sim.admin.setFaults({ errorRate: 0, operations: ['registerSingleLearner'], maintenance: true });
    expect((await lrs.learnerByDemographics(id, sample)).outcome).toBe('exact');
    // `operations` narrows out of hours too, on every service.
    sim.admin.setFaults({
      maintenance: false,
      outOfHours: true,
      operations: ['registerSingleLearner', 'GetLearnerLearningEvents'],
    });
    expect((await lrs.learnerByDemographics(id, sample)).outcome).toBe('exact');
    expect(await lrsError(lrs.registerSingleLearner(id, jane))).toMatchObject({ code: 'WSEC0004' });
    const plr = { uln: '1174112637', givenName: 'TestOne', familyName: 'TesterOne' };
    expect(await lrsError(lrs.getLearnerLearningEvents(id, plr))).toMatchObject({ code: 'WSEC0004' });
    sim.admin.setFaults({ outOfHours: false, operations: [] });
    expect((await lrs.getLearnerLearningEvents(id, plr)).code).toBe('WSRC0004');
  });

  it('loses batch jobs or keeps them running on request, for the polls named', async () => {
    const a = {
      achievementAwardDate: '2024-07-31',
      action: 1,
      actionDate: '2024-08-01',
      providerUkprn: '10030488',
      unitOrQualificationReferenceNumber: '60312345',
    };
    const { jobId } = await lrs.submitAchievementBatchJob(ext, {
      achievements: [
        { ...a, uln: '1174112637', givenName: 'TestOne', familyName: 'TesterOne', misIdentifier: 'ACH-1' },
      ],
    });
    const reg = await lrs.submitBatchRegistration(id, {
      jobType: 'CHK',
      learners: [{ misIdentifier: 'A', ...jane }],
    });
    await vi.waitFor(async () => {
      expect((await lrs.getAchievementBatchJob(ext, jobId ?? 0)).state).toBe('done');
      expect((await lrs.getBatchRegistrationOutput(id, reg.jobId ?? '')).state).toBe('done');
    });
    sim.admin.setFaults({ lostBatchJobs: true, operations: ['GetAchievementBatchJob'] });
    expect(await lrs.getAchievementBatchJob(ext, jobId ?? 0)).toMatchObject({ code: 'WSRC0018' });
    expect((await lrs.getBatchRegistrationOutput(id, reg.jobId ?? '')).state).toBe('done');
    sim.admin.setFaults({ lostBatchJobs: false, stuckBatchJobs: true, operations: [] });
    expect(await lrs.getAchievementBatchJob(ext, jobId ?? 0)).toMatchObject({
      code: 'WSRC0008',
      state: 'running',
      status: 'InProgress',
      achievementsCreated: 0,
    });
    expect(await lrs.getBatchRegistrationOutput(id, reg.jobId ?? '')).toMatchObject({
      code: 'WSRC0008',
      state: 'running',
    });
    expect(sim.admin.stats().injected).toMatchObject({ lostBatchJobs: 1, stuckBatchJobs: 2 });
    sim.admin.setFaults({ stuckBatchJobs: false });
    expect(await lrs.getAchievementBatchJob(ext, jobId ?? 0)).toMatchObject({
      code: 'WSRC0009',
      state: 'done',
      achievementsCreated: 1,
    });
  });

  it('never answers a timed-out call, and the client gives up after its timeout', async () => {
    sim.admin.setFaults({ timeoutRate: 1 });
    const short = createLrsClient({ endpoints: sim.endpoints, allowInsecureHttp: true, timeoutMs: 200 });
    try {
      expect(await lrsError(short.learnerByDemographics(id, sample))).toMatchObject({
        code: 'TIMEOUT',
        ambiguous: true,
      });
    } finally {
      await short.close();
    }
    expect(sim.admin.stats().injected.timeouts).toBe(1);
  });

  it('adds the configured latency', async () => {
    sim.admin.setFaults({ latencyMs: 150 });
    const t = performance.now();
    await lrs.learnerByDemographics(id, sample);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
  });
});
