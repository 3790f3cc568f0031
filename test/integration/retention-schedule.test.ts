/**
 * docs/security.md's retention promise, kept by the running relay: a finished request's personal data
 * is purged once it is past RETENTION_REQUEST_DAYS, by the scheduler on its own, with nobody calling
 * the purge. (retention.test.ts covers what the purge keeps and removes.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';

describe('scheduled retention purge', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({
      roles: ['producer', 'worker', 'scheduler'],
      env: { RETENTION_PURGE_INTERVAL_MS: '10000', RETENTION_REQUEST_DAYS: '90' },
    });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it("the running scheduler purges a finished request's personal data once it is past retention", async () => {
    const ex = p.simulator.admin.examples().exact!;
    const payload = { uln: ex.uln, givenName: ex.givenName, familyName: ex.familyName };
    const [old, recent] = [
      await p.submit('find_by_uln', 'RET-OLD', payload),
      await p.submit('find_by_uln', 'RET-NEW', payload),
    ];
    await p.settle();
    // Time passes for one of them: it finished 91 days ago.
    await p.sql.query(`update lrs.request set completed_at = now() - interval '91 days' where id = $1`, [
      old,
    ]);
    await vi.waitFor(
      async () => {
        const r = await p.request(old);
        expect(r.purged_at).not.toBeNull();
      },
      { timeout: 25_000, interval: 250 },
    );
    expect(await p.request(old)).toMatchObject({ payload: {}, status: 'succeeded', uln: ex.uln });
    expect(await p.request(recent)).toMatchObject({ payload, purged_at: null });
  });
});
