/**
 * Verify and achievement batches against the simulator, and the achievement verification gate:
 * an achievement is held until its learner is verified, then sent; a learner who fails verification
 * gets NOT_VERIFIED and nothing is sent. What reaches the simulator passes a recording proxy, so the
 * achievement envelopes themselves are checked against our External WSDL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureProxy, type CaptureProxy } from '../helpers/capture-proxy.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { canonicalBody } from '../unit/lrs/canonical-xml.ts';
import { schemaProblems } from '../unit/lrs/schema-validate.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';
import { batches, FAST_BATCH_ENV, newLearner, outcomesCounted, requestsOf } from './batch-fixtures.ts';

describe.each(TEST_BACKENDS)('verify and achievement batches on %s', (backend) => {
  let p: Pipeline;
  let proxy: CaptureProxy;
  const learners: { misId: string; uln: string; payload: Record<string, string> }[] = [];

  beforeAll(async () => {
    proxy = await startCaptureProxy();
    p = await startPipeline({
      backend,
      simulator: { batchTiming: { inProgressAfterMs: 100, doneAfterMs: 400 } },
      env: { ...FAST_BATCH_ENV, BATCH_WINDOW_MS: '500', LRS_BASE_URL: proxy.url },
    });
    proxy.target = p.simulator.url;
    // An awarding organisation on the External service needs an organisation reference (SIM001 at the simulator).
    await p.sql.query(
      `insert into lrs.organisation (name, organisation_ref, password_ref, default_user_name)
       values ('Simulator Awards', 'SIM001', $1, 'lrs-relay nightly')`,
      [JSON.stringify({ kind: 'env', name: 'LRS_PASSWORD_10000001' })],
    );
    // Single-call workers pick up new organisations on a 30 s refresh; restart so the gate's verify calls run at once.
    await p.restartRelay();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const payload = newLearner(i, 'kinds');
      ids.push(await p.submit('register', `k-${i}`, payload, { mode: 'batch' }));
      learners.push({ misId: `k-${i}`, uln: '', payload });
    }
    await p.settle(30_000);
    const rows = await requestsOf(p.sql, ids);
    rows.forEach((r, i) => (learners[i]!.uln = String(r.uln)));
  });
  afterAll(async () => {
    await p?.stop();
    await proxy?.close();
  });

  it('verifies in batches: WSVRC codes and failure flags per learner, as single calls give', async () => {
    const before = (await batches(p.sql)).length;
    const ids: number[] = [];
    for (const l of learners) {
      ids.push(
        await p.submit(
          'verify',
          l.misId,
          {
            uln: l.uln,
            givenName: l.payload.givenName,
            familyName: l.payload.familyName,
            dateOfBirth: l.payload.dateOfBirth,
            gender: l.payload.gender,
          },
          { mode: 'batch' },
        ),
      );
    }
    const wrongDob = await p.submit(
      'verify',
      'k-x',
      {
        uln: learners[0]!.uln,
        givenName: learners[0]!.payload.givenName,
        familyName: learners[0]!.payload.familyName,
        dateOfBirth: '1999-01-01',
      },
      { mode: 'batch' },
    );
    await p.settle(30_000);
    await expect
      .poll(async () => (await batches(p.sql)).slice(before).every((b) => b.status === 'completed'))
      .toBe(true);
    const made = (await batches(p.sql)).slice(before);
    expect(made.map((b) => [b.kind, b.record_count, b.status])).toEqual([
      ['verify', 5, 'completed'],
      ['verify', 2, 'completed'],
    ]);
    const rows = await requestsOf(p.sql, ids);
    expect(rows.every((r) => r.status === 'succeeded' && r.code === 'WSVRC001')).toBe(true);
    const [w] = await requestsOf(p.sql, [wrongDob]);
    expect(w).toMatchObject({ status: 'needs_action', code: 'WSVRC003' });
    expect(w!.failure_flags).toContain('VRF7');
    const subs = p.simulator.admin.submissions('verify');
    expect([...ids, wrongDob].every((id) => subs[String(id)] === 1)).toBe(true);
  });

  it('holds achievements until the learner is verified for that organisation, then sends them in a batch', async () => {
    const notVerified = { kind: 'achievement', status: 'needs_action', code: 'NOT_VERIFIED' };
    const counted = await outcomesCounted(p.relay.metrics, notVerified);
    const ids: number[] = [];
    // The award date as a MIS hands it over: a date, a timestamp, a timestamptz, text.
    const awardDates = [
      '2024-06-01',
      '2024-06-01T10:15:00',
      '2024-06-01T00:00:00+01:00',
      '2024-06-01 08:00:00',
    ];
    for (const [i, l] of learners.entries()) {
      ids.push(
        await p.submit(
          'achievement',
          l.misId,
          {
            uln: l.uln,
            givenName: l.payload.givenName,
            familyName: l.payload.familyName,
            dateOfBirth: l.payload.dateOfBirth,
            unitOrQualificationReferenceNumber: '60012345',
            achievementAwardDate: awardDates[i % awardDates.length],
            providerUkprn: '10000001',
          },
          { org: 'SIM001' },
        ),
      );
    }
    // A real ULN with someone else's names: verification fails, so the achievement is never sent.
    const unverified = await p.submit(
      'achievement',
      'k-unknown',
      {
        uln: learners[0]!.uln,
        givenName: 'Nobody',
        familyName: 'Known',
        unitOrQualificationReferenceNumber: '60012345',
        achievementAwardDate: '2024-06-01',
        providerUkprn: '10000001',
      },
      { org: 'SIM001' },
    );

    await expect
      .poll(async () => (await requestsOf(p.sql, [unverified]))[0]?.status, { timeout: 10_000 })
      .toMatch(/held|needs_action/);
    await p.settle(30_000);

    const rows = await requestsOf(p.sql, ids);
    expect(rows.every((r) => r.status === 'succeeded' && r.code === 'ACHIEVEMENT_LOADED')).toBe(true);
    const [u] = await requestsOf(p.sql, [unverified]);
    expect(u).toMatchObject({ status: 'needs_action', code: 'NOT_VERIFIED', batch_id: null });
    expect(String(u!.last_error)).toMatch(/verify ended WSVRC005/);
    expect(await outcomesCounted(p.relay.metrics, notVerified)).toBe(counted + 1);
    // The gate made one verify request per achievement, for the awarding organisation.
    const gates = await p.sql.query(
      `select count(*)::int as n from lrs.request where dedupe_key like 'gate:%' and kind = 'verify'`,
    );
    expect(gates.rows[0].n).toBe(7);
    const subs = p.simulator.admin.submissions('achievement');
    expect(ids.every((id) => subs[String(id)] === 1)).toBe(true);
    expect(subs[String(unverified)]).toBeUndefined();
    await expect
      .poll(async () =>
        (await batches(p.sql)).filter((b) => b.kind === 'achievement').every((b) => b.status === 'completed'),
      )
      .toBe(true);
    const achievementBatches = (await batches(p.sql)).filter((b) => b.kind === 'achievement');
    expect(achievementBatches.every((b) => b.status === 'completed')).toBe(true);
    expect(achievementBatches.reduce((n, b) => n + b.record_count, 0)).toBe(6);

    // Each envelope sent is valid against our External WSDL, every date an xs:dateTime at midnight.
    const sent = proxy.requests.filter((r) =>
      r.soapAction?.includes('/IExternalService/SubmitAchievementBatchJob'),
    );
    expect(sent.length).toBe(achievementBatches.length);
    const dates: string[] = [];
    for (const r of sent) {
      expect(await schemaProblems('externalService', r.body)).toEqual([]);
      const list = canonicalBody(r.body).children.find((c) => c.name.endsWith('}achievements'));
      for (const a of list?.children ?? [])
        for (const c of a.children)
          if (/\}(AchievementAwardDate|ActionDate|DateofBirth)$/.test(c.name)) dates.push(c.text ?? '');
    }
    expect(dates).toHaveLength(18);
    expect(dates.filter((d) => d === '2024-06-01T00:00:00')).toHaveLength(12);
    expect(dates.every((d) => /^[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00$/.test(d))).toBe(true);
  });

  it('sends an already verified learner at once, and maps the error file of a Failed job to each achievement', async () => {
    const ids: number[] = [];
    for (const l of learners.slice(0, 2)) {
      // Action 9 is not a known action code: a business rule error for every record, so the job ends Failed.
      ids.push(
        await p.submit(
          'achievement',
          l.misId,
          {
            uln: l.uln,
            givenName: l.payload.givenName,
            familyName: l.payload.familyName,
            unitOrQualificationReferenceNumber: '60099999',
            achievementAwardDate: '2024-07-01',
            providerUkprn: '10000001',
            action: 9,
          },
          { org: 'SIM001' },
        ),
      );
    }
    await p.settle(30_000);
    await expect.poll(async () => (await batches(p.sql)).at(-1)?.status).toBe('failed');
    const rows = await requestsOf(p.sql, ids);
    expect(rows.every((r) => r.status === 'needs_action' && r.code === 'ACHIEVEMENT_REJECTED')).toBe(true);
    expect(String(rows[0]!.last_error)).toMatch(/BusinessRuleError/);
    const last = (await batches(p.sql)).at(-1)!;
    expect(last).toMatchObject({ kind: 'achievement', status: 'failed', record_count: 2 });
    expect(last.counters).toMatchObject({ businessRuleErrors: 2, needs_action: 2 });
  });
});
