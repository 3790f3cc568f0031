/**
 * README "Every call named and audited": each LRS call carries the organisation's identity and the
 * UserName of the person or process behind the request, as the LRS receives it (counted at a gate in
 * front of the simulator), and writes an audit row naming the same person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLrsGate, type LrsGate } from '../helpers/lrs-gate.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';

describe('every call named', () => {
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

  it('each LRS call carries the UserName of the person behind its request and the organisation', async () => {
    const ex = p.simulator.admin.examples().exact!;
    const submit = async (requestedBy: string, misId: string, kind: string, payload: object) => {
      const r = await p.sql.query(
        `select lrs.submit_request('10000001', $1, $2, $3::jsonb, $4, 'single', null, 1) as id`,
        [kind, misId, JSON.stringify(payload), requestedBy],
      );
      return Number(r.rows[0].id);
    };
    await submit('a.jones', 'NAMED-1', 'find_by_uln', {
      uln: ex.uln,
      givenName: ex.givenName,
      familyName: ex.familyName,
    });
    await submit('b.patel', 'NAMED-2', 'register', {
      givenName: 'Namedcaller',
      familyName: 'Identity',
      dateOfBirth: '2003-02-01',
      gender: '1',
      lastKnownPostCode: 'B1 1AA',
      verificationType: '1',
      abilityToShare: '1',
    });
    await p.settle();
    const calls = gate.calls();
    expect(calls.map((c) => [c.element, c.userName, c.organisation])).toEqual([
      ['FindLearnerByULN', 'a.jones', '10000001'],
      ['FindLearnerByDemographics', 'b.patel', '10000001'],
      ['RegisterLearner', 'b.patel', '10000001'],
    ]);
    const audit = await p.sql.query(
      `select r.mis_learner_id, a.operation, a.user_name from lrs.audit a join lrs.request r on r.id = a.request_id
        order by a.id`,
    );
    expect(audit.rows.map((a) => [a.mis_learner_id, a.operation, a.user_name])).toEqual([
      ['NAMED-1', 'learnerByUln', 'a.jones'],
      ['NAMED-2', 'learnerByDemographics', 'b.patel'],
      ['NAMED-2', 'registerSingleLearner', 'b.patel'],
    ]);
  });
});
