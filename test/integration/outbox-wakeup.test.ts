/**
 * README "Producer (outbox relay). Listens on lrs_request and also polls": the MIS's new request is
 * picked up on its notification, within moments, not at the next poll. Polling (and the reconcile
 * sweep, which would also find the row) is set far longer than the test, so only the wake-up can
 * carry the request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';

const WAKE_UP_BUDGET_MS = 5_000;

describe('outbox wake-up', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({
      env: { OUTBOX_POLL_INTERVAL_MS: '600000', RECONCILE_INTERVAL_MS: '600000' },
    });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('a submitted request is carried out within seconds while polling is ten minutes apart', async () => {
    const ex = p.simulator.admin.examples().exact!;
    for (const misId of ['WAKE-1', 'WAKE-2']) {
      const started = Date.now();
      const id = await p.submit('find_by_uln', misId, {
        uln: ex.uln,
        givenName: ex.givenName,
        familyName: ex.familyName,
      });
      await p.settle(WAKE_UP_BUDGET_MS);
      expect(Date.now() - started).toBeLessThan(WAKE_UP_BUDGET_MS);
      expect(await p.request(id)).toMatchObject({ status: 'succeeded', uln: ex.uln });
    }
  });
});
