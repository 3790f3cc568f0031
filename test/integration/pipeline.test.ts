import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';

const REGISTER_EXTRA = { verificationType: '1', abilityToShare: '1' };

describe.each(TEST_BACKENDS)('pipeline on %s: trigger → LRS → outcome', (backend) => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({ backend });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('find by demographics: exact match stores the ULN', async () => {
    const ex = p.simulator.admin.examples().exact!;
    const id = await p.submit('find_by_demographics', 'S-exact', { ...ex, uln: undefined });
    await p.settle();
    const r = await p.request(id);
    expect(r).toMatchObject({ status: 'succeeded', code: 'WSRC0004', code_source: 'lrs', uln: ex.uln });
    const audit = await p.sql.query(
      'select operation, code, user_name from lrs.audit where request_id = $1',
      [id],
    );
    expect(audit.rows).toEqual([
      { operation: 'learnerByDemographics', code: 'WSRC0004', user_name: 'j.smith' },
    ]);
    const status = await p.sql.query(
      `select status, code, uln, resolution from lrs.learner_status where mis_learner_id = 'S-exact'`,
    );
    expect(status.rows[0]).toMatchObject({ status: 'succeeded', code: 'WSRC0004', uln: ex.uln });
  });

  it('find by ULN, verify and learning events', async () => {
    const ex = p.simulator.admin.examples().exact!;
    const names = { uln: ex.uln, givenName: ex.givenName, familyName: ex.familyName };
    const a = await p.submit('find_by_uln', 'S-uln', names);
    const b = await p.submit('verify', 'S-verify', {
      ...names,
      dateOfBirth: ex.dateOfBirth,
      gender: ex.gender,
    });
    const c = await p.submit('learning_events', 'S-plr', {
      uln: '1174112637',
      givenName: 'TestOne',
      familyName: 'TesterOne',
    });
    const d = await p.submit('learning_events', 'S-plr-bad', { ...names, givenName: 'Wrongname' });
    await p.settle();
    expect(await p.request(a)).toMatchObject({ status: 'succeeded', code: 'WSRC0004', uln: ex.uln });
    expect(await p.request(b)).toMatchObject({ status: 'succeeded', code: 'WSVRC001' });
    expect(await p.request(c)).toMatchObject({ status: 'succeeded', code: 'WSRC0004', uln: '1174112637' });
    expect(await p.request(d)).toMatchObject({ status: 'needs_action', code: 'WSEC0208' });
    const events = await p.sql.query(
      'select count(*)::int as n from lrs.learning_event where request_id = $1',
      [c],
    );
    expect(events.rows[0].n).toBeGreaterThanOrEqual(7);
  });

  it('register: no match → registers once; exact → records the existing ULN; possible / too many → needs action', async () => {
    const ex = p.simulator.admin.examples();
    const before = p.simulator.admin.stats();
    const fresh = {
      givenName: 'Brandnew',
      familyName: 'Learnerson',
      dateOfBirth: '2007-03-04',
      gender: '1',
      lastKnownPostCode: 'LS1 4AB',
      ...REGISTER_EXTRA,
    };
    const a = await p.submit('register', 'R-new', fresh);
    const b = await p.submit('register', 'R-exact', { ...ex.exact!, uln: undefined, ...REGISTER_EXTRA });
    const c = await p.submit('register', 'R-possible', {
      ...ex.possible!,
      uln: undefined,
      ...REGISTER_EXTRA,
    });
    const d = await p.submit('register', 'R-many', { ...ex.tooMany!, uln: undefined, ...REGISTER_EXTRA });
    const e = await p.submit('register', 'R-linked', { ...ex.linked!, uln: undefined, ...REGISTER_EXTRA });
    await p.settle();
    const ra = await p.request(a);
    expect(ra).toMatchObject({ status: 'succeeded', code: 'WSRC0005' });
    expect(ra.uln).toMatch(/^[1-9]\d{9}$/);
    expect(await p.request(b)).toMatchObject({ status: 'succeeded', code: 'WSRC0004', uln: ex.exact!.uln });
    const rc = await p.request(c);
    expect(rc).toMatchObject({ status: 'needs_action', code: 'WSRC0003' });
    expect((rc.candidates as unknown[]).length).toBeGreaterThan(0);
    expect(await p.request(d)).toMatchObject({ status: 'needs_action', code: 'WSRC0002' });
    const re = await p.request(e);
    expect(re).toMatchObject({ status: 'succeeded', code: 'WSRC0022' });
    expect(re.master_uln).toBe(re.uln);
    const after = p.simulator.admin.stats();
    expect(after.registrations - before.registrations).toBe(1);
    expect(after.duplicateRegistrations).toBe(0);
  });

  it('register: two requests for the same new learner register it once', async () => {
    const before = p.simulator.admin.stats();
    const learner = {
      givenName: 'Twinrequest',
      familyName: 'Samelearner',
      dateOfBirth: '2006-05-06',
      gender: '2',
      lastKnownPostCode: 'M1 1AE',
      ...REGISTER_EXTRA,
    };
    const ids = await Promise.all([
      p.submit('register', 'T-1', learner),
      p.submit('register', 'T-2', learner),
    ]);
    await p.settle();
    const rows = await Promise.all(ids.map((id) => p.request(id)));
    expect(rows.map((r) => r.code).sort()).toEqual(['WSRC0004', 'WSRC0005']);
    expect(rows[0]!.uln).toBe(rows[1]!.uln);
    const after = p.simulator.admin.stats();
    expect(after.registrations - before.registrations).toBe(1);
    expect(after.duplicateRegistrations).toBe(0);
  });

  it('update: reads the version, updates; unchanged data is a no-op; an unknown ULN needs action', async () => {
    const ex = p.simulator.admin.examples().exact!;
    const base = {
      uln: ex.uln,
      givenName: ex.givenName,
      familyName: ex.familyName,
      dateOfBirth: ex.dateOfBirth,
      gender: ex.gender,
    };
    const a = await p.submit('update', 'U-1', { ...base, lastKnownPostCode: 'EX1 1AA' });
    await p.settle();
    expect(await p.request(a)).toMatchObject({ status: 'succeeded', code: 'WSRC0006', uln: ex.uln });
    const b = await p.submit('update', 'U-2', { ...base, lastKnownPostCode: 'EX1 1AA' });
    await p.settle();
    expect(await p.request(b)).toMatchObject({ status: 'succeeded', code: 'WSRC0020' });
    const c = await p.submit('update', 'U-3', { ...base, uln: '9276308686', lastKnownPostCode: 'EX1 1AA' });
    await p.settle();
    expect(await p.request(c)).toMatchObject({ status: 'needs_action', code: 'WSRC0001' });
  });

  it('auto mode: kinds without a batch operation always go as single calls', async () => {
    const ex = p.simulator.admin.examples().exact!;
    const id = await p.submit(
      'find_by_uln',
      'AUTO-1',
      { uln: ex.uln, givenName: ex.givenName, familyName: ex.familyName },
      { mode: 'auto' },
    );
    await p.settle();
    expect(await p.request(id)).toMatchObject({ status: 'succeeded', code: 'WSRC0004', batch_id: null });
  });

  it('SQL and XML metacharacters in names travel as plain data', async () => {
    const learner = {
      givenName: `O'Brien <&> "x"`,
      familyName: `Robert'); drop table x;--`,
      dateOfBirth: '2004-04-04',
      gender: '1',
      lastKnownPostCode: 'B1 1AA',
      ...REGISTER_EXTRA,
    };
    const id = await p.submit('register', 'META-1', learner);
    await p.settle();
    const r = await p.request(id);
    expect(r).toMatchObject({ status: 'succeeded', code: 'WSRC0005' });
    // The LRS now knows the learner by exactly those names: a search finds them again.
    const again = await p.submit('find_by_demographics', 'META-2', learner);
    await p.settle();
    expect(await p.request(again)).toMatchObject({ status: 'succeeded', code: 'WSRC0004', uln: r.uln });
  });

  it('bad data is refused locally with every problem listed, and never sent', async () => {
    const calls = p.simulator.admin.stats().calls;
    const id = await p.submit('register', 'BAD-1', {
      givenName: 'x'.repeat(36),
      familyName: 'Ok',
      dateOfBirth: '2001-02-30',
      gender: '7',
      lastKnownPostCode: 'NOT A POSTCODE',
      ...REGISTER_EXTRA,
    });
    await p.settle();
    const r = await p.request(id);
    expect(r).toMatchObject({ status: 'rejected', code: 'LOCAL_VALIDATION', code_source: 'relay' });
    const fields = (r.problems as { field: string }[]).map((x) => x.field).join(' ');
    for (const f of ['givenName', 'dateOfBirth', 'gender', 'lastKnownPostCode']) expect(fields).toContain(f);
    expect(p.simulator.admin.stats().calls).toEqual(calls);
  });
});
