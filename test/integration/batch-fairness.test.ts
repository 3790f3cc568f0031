/**
 * A hosted night: one organisation's large backlog must not hold another's batches back. With both
 * backlogs committed at once and batches submitted one at a time, the small organisation's batch goes
 * to the LRS second, not after every batch of the large one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, SIM_PASSWORD, type Pipeline } from '../helpers/pipeline.ts';
import { FAST_BATCH_ENV, newLearner } from './batch-fixtures.ts';

const LARGE = '10000001';
const SMALL = '10000002';

describe('batches of several organisations', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({
      simulator: {
        instantBatches: true,
        organisations: [
          { ukprn: LARGE, password: SIM_PASSWORD, operations: ['*'] },
          { ukprn: SMALL, password: 'Second-Passwd-16', operations: ['*'] },
        ],
      },
      organisations: [
        { ukprn: LARGE, password: SIM_PASSWORD },
        { ukprn: SMALL, password: 'Second-Passwd-16' },
      ],
      // One submission at a time, so the order batches reach the LRS is the order they were queued.
      env: { ...FAST_BATCH_ENV, BATCH_CONCURRENCY: '1' },
    });
  });
  afterAll(async () => p?.stop());

  it("sends a small organisation's batch second, not after a large organisation's whole backlog", async () => {
    // Both backlogs appear at once (one commit), as after the nightly acquisition: 6 batches and 1.
    const c = await p.sql.connect();
    try {
      await c.query('begin');
      const submit = (org: string, i: number, tag: string) =>
        c.query(`select lrs.submit_request($1, 'register', $2, $3::jsonb, 'j.smith', 'batch', null, 1)`, [
          org,
          `${tag}-${i}`,
          JSON.stringify(newLearner(i, tag)),
        ]);
      for (let i = 0; i < 30; i++) await submit(LARGE, i, 'large');
      for (let i = 0; i < 5; i++) await submit(SMALL, i, 'small');
      await c.query('commit');
    } finally {
      c.release();
    }
    await p.settle(60_000);
    const sent = await p.sql.query(
      `select o.ukprn from lrs.batch b join lrs.organisation o on o.id = b.organisation_id
        where b.status = 'completed' order by b.submitted_at, b.id`,
    );
    const order = sent.rows.map((r: { ukprn: string }) => r.ukprn);
    expect(order.filter((u) => u === LARGE)).toHaveLength(6);
    expect(order.filter((u) => u === SMALL)).toHaveLength(1);
    expect(order.indexOf(SMALL)).toBeLessThanOrEqual(1);
  });
});
