/**
 * README "No duplicate learners". Two requests for one person cannot both register: the first
 * request's registration is held at the LRS's door until the second has had its chance (it met the
 * per-person lock, or, without one, its own search came back "no match"), so the outcome does not
 * depend on how the two happen to be scheduled. And a registration whose answer was lost (the LRS
 * registered, the relay never heard) searches again before it would register again.
 *
 * The same gate shows an update refused because the record changed (docs/lrs.md §4.5): the relay's
 * update is held while someone else changes the learner, so the LRS answers WSRC0013, and the relay
 * reads the record again and sends its update with the new version.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLrsClient } from '../../src/lrs/client.ts';
import { startLrsGate, type LrsGate } from '../helpers/lrs-gate.ts';
import { SIM_PASSWORD, startPipeline, type Pipeline } from '../helpers/pipeline.ts';

/** The simulator's default organisation, as another provider's system would call the LRS. */
const SIM_IDENTITY = { ukprn: '10000001', password: SIM_PASSWORD, userName: 'other-system@example.org' };

const LEARNER = {
  givenName: 'Heldfirst',
  familyName: 'Samelearner',
  dateOfBirth: '2005-03-04',
  gender: '1',
  lastKnownPostCode: 'LS1 4AP',
  verificationType: '1',
  abilityToShare: '1',
};

let gate: LrsGate;
let p: Pipeline;
beforeAll(async () => {
  gate = await startLrsGate();
  p = await startPipeline({ env: { LRS_BASE_URL: gate.url } });
  gate.setTarget(p.simulator.url);
});
afterAll(async () => {
  await p?.stop();
  await gate?.close();
});

describe('no duplicate learners', () => {
  it('two simultaneous registrations of one person: the LRS is asked to register once', async () => {
    const held = gate.holdNext('RegisterLearner');
    const first = await p.submit('register', 'LOCK-1', LEARNER);
    await held.arrived;
    const searchesBefore = gate.answered('FindLearnerByDemographics');
    const second = await p.submit('register', 'LOCK-2', LEARNER);
    // The second request has had its chance once it waits on the lock (support staff see LEARNER_BUSY)
    // or, were there no lock, once the LRS has answered its search while the first is still held.
    await vi.waitFor(
      async () => {
        const r = await p.request(second);
        const searched = gate.answered('FindLearnerByDemographics') > searchesBefore;
        expect(r.last_code === 'LEARNER_BUSY' || searched).toBe(true);
      },
      { timeout: 20_000, interval: 50 },
    );
    held.release();
    await p.settle();
    expect(gate.arrived('RegisterLearner')).toBe(1);
    const rows = await Promise.all([first, second].map((id) => p.request(id)));
    expect(rows.map((r) => [r.status, r.code])).toEqual([
      ['succeeded', 'WSRC0005'],
      ['succeeded', 'WSRC0004'],
    ]);
    expect(rows[1]!.uln).toBe(rows[0]!.uln);
    expect(p.simulator.admin.stats().duplicateRegistrations).toBe(0);
    // Waiting for the other request's lock used none of the second request's attempts: each made one.
    expect(rows.map((r) => r.attempts)).toEqual([1, 1]);
  });

  it('a registration whose answer was lost searches again and finds the learner, registering once', async () => {
    const learner = { ...LEARNER, givenName: 'Lostanswer', dateOfBirth: '2004-07-08' };
    const registersBefore = gate.arrived('RegisterLearner');
    const duplicatesBefore = p.simulator.admin.stats().duplicateRegistrations;
    // The LRS registers the learner, and the answer never reaches the relay: sent, outcome unknown.
    gate.loseAnswerOfNext('RegisterLearner');
    const id = await p.submit('register', 'LOST-1', learner);
    await p.settle();
    expect(gate.arrived('RegisterLearner') - registersBefore).toBe(1);
    expect(await p.request(id)).toMatchObject({
      status: 'succeeded',
      code: 'WSRC0004',
      description: expect.stringContaining('registered by an earlier attempt whose answer was lost'),
    });
    expect(p.simulator.admin.stats().duplicateRegistrations).toBe(duplicatesBefore);
  });
});

describe('an update refused because the record changed', () => {
  it('WSRC0013: the relay reads the learner again and sends its update with the new version', async () => {
    const ex = p.simulator.admin.examples().exact!;
    const names = { uln: ex.uln ?? '', givenName: ex.givenName, familyName: ex.familyName };
    // Another provider's system, talking to the LRS directly (not through the gate).
    const other = createLrsClient({
      endpoints: p.simulator.endpoints,
      allowInsecureHttp: true,
      timeoutMs: 5000,
    });
    try {
      const reads = gate.arrived('FindLearnerByULN');
      const updates = gate.arrived('UpdateLearner');
      const held = gate.holdNext('UpdateLearner');
      const id = await p.submit('update', 'STALE-1', {
        ...names,
        dateOfBirth: ex.dateOfBirth,
        gender: ex.gender,
        lastKnownPostCode: 'EX4 4QJ',
      });
      // The relay has read the record and its update is at the LRS's door: the record changes now.
      await held.arrived;
      const read = await other.learnerByUln(SIM_IDENTITY, { ...names, findType: 'FUL' });
      if (read.outcome !== 'exact') throw new Error(`the learner is not found: ${read.outcome}`);
      const changed = await other.updateSingleLearner(SIM_IDENTITY, {
        ...names,
        dateOfBirth: ex.dateOfBirth,
        gender: ex.gender,
        lastKnownPostCode: 'TR1 2AB',
        verificationType: read.learner.verificationType ?? '',
        abilityToShare: read.learner.abilityToShare ?? '',
        versionNumber: read.learner.versionNumber ?? 0,
      });
      expect(changed.code).toBe('WSRC0006');
      held.release();
      await p.settle();
      expect(await p.request(id)).toMatchObject({ status: 'succeeded', code: 'WSRC0006', uln: ex.uln });
      // Read, refused (WSRC0013), read again, updated: two of each at the LRS.
      expect(gate.arrived('FindLearnerByULN') - reads).toBe(2);
      expect(gate.arrived('UpdateLearner') - updates).toBe(2);
      const after = await other.learnerByUln(SIM_IDENTITY, { ...names, findType: 'FUL' });
      expect(after.outcome === 'exact' ? after.learner.lastKnownPostCode : after.outcome).toBe('EX4 4QJ');
    } finally {
      await other.close();
    }
  });
});
