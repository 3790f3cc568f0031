/**
 * The local age rule (issue 22 items 6 and 8): the LRS issues ULNs to learners aged 13 to 110, so a registration
 * for a learner whose age on the date of the request is outside that range is not sent. It ends `rejected` with
 * our AGE_OUT_OF_RANGE naming the date of birth, with no LRS call; the age is judged on the request's creation
 * date, not on the day it is processed. Single calls and batch records alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explainCode } from '../../src/codes/table.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { batches, FAST_BATCH_ENV, newLearner } from './batch-fixtures.ts';

/** A date of birth `years` years and `days` days before today, as the MIS sends it. */
function bornAgo(years: number, days: number): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/**
 * The learners of each test: who is outside 13–110 on the day their request was made (`createdDaysAgo`) is
 * refused, whatever their age today.
 */
const CASES = [
  // 12 today, request made today.
  { tag: 'young', dateOfBirth: bornAgo(12, 10), createdDaysAgo: 0, sent: false },
  // 13 today, but 12 when the request was made 20 days ago: refused.
  { tag: 'turned', dateOfBirth: bornAgo(13, 10), createdDaysAgo: 20, sent: false },
  // 111 today.
  { tag: 'old', dateOfBirth: bornAgo(111, 10), createdDaysAgo: 0, sent: false },
  // 111 today, but 110 when the request was made 20 days ago: sent.
  { tag: 'aged', dateOfBirth: bornAgo(111, 10), createdDaysAgo: 20, sent: true },
  // 13 today, request made today: sent.
  { tag: 'thirteen', dateOfBirth: bornAgo(13, 10), createdDaysAgo: 0, sent: true },
] as const;

describe(
  'registrations outside the permitted ages (13–110 on the date of the request)',
  { timeout: 90_000 },
  () => {
    let p: Pipeline | undefined;
    afterEach(async () => {
      await p?.stop();
      p = undefined;
    });

    /**
     * Submits one registration per case as the MIS does, each request's creation date moved `createdDaysAgo`
     * back, all in one transaction (so a batch's assembler sees them together however slow this machine is).
     */
    async function submitCases(pipeline: Pipeline, tag: string, mode: string): Promise<number[]> {
      const c = await pipeline.sql.connect();
      try {
        await c.query('begin');
        const ids: number[] = [];
        for (const [i, k] of CASES.entries()) {
          const payload = { ...newLearner(i, `${tag}${k.tag}`), dateOfBirth: k.dateOfBirth };
          const r = await c.query(
            `select lrs.submit_request('10000001', 'register', $1, $2::jsonb, 'j.smith', $3, null, 1) as id`,
            [`${tag}-${i}`, JSON.stringify(payload), mode],
          );
          const id = Number(r.rows[0].id);
          await c.query(`update lrs.request set created_at = now() - $2 * interval '1 day' where id = $1`, [
            id,
            k.createdDaysAgo,
          ]);
          ids.push(id);
        }
        await c.query('commit');
        return ids;
      } finally {
        c.release();
      }
    }

    async function expectOutcomes(pipeline: Pipeline, ids: number[]): Promise<void> {
      for (const [i, c] of CASES.entries()) {
        const id = ids[i] ?? 0;
        const row = await pipeline.request(id);
        const calls = await pipeline.sql.query(
          `select count(*)::int as n from lrs.audit where request_id = $1`,
          [id],
        );
        if (c.sent) {
          // Sent (the simulator, like the LRS, may still judge its batch on the day it arrives: RC011).
          expect(row.status, c.tag).not.toBe('rejected');
          expect(row.code, c.tag).not.toBe('AGE_OUT_OF_RANGE');
          continue;
        }
        expect(row, c.tag).toMatchObject({
          status: 'rejected',
          code: 'AGE_OUT_OF_RANGE',
          code_source: 'relay',
          class: 'data_error',
          batch_id: null,
          problems: [{ field: 'dateOfBirth', message: expect.stringContaining('outside 13–110') }],
        });
        // The date of birth itself is not repeated in the text anyone may read.
        expect(String(row.description), c.tag).not.toContain(c.dateOfBirth);
        expect(calls.rows[0].n, `${c.tag}: no LRS call`).toBe(0);
      }
    }

    it('single calls: not sent, rejected with AGE_OUT_OF_RANGE, judged on the day the request was made', async () => {
      p = await startPipeline();
      const ids = await submitCases(p, 'agesingle', 'single');
      await p.settle(60_000);
      await expectOutcomes(p, ids);
      // The simulator never heard of the refused learners: only the sent ones were searched for.
      const searches = await p.sql.query(
        `select count(*)::int as n from lrs.audit where operation = 'learnerByDemographics'`,
      );
      expect(searches.rows[0].n).toBe(CASES.filter((c) => c.sent).length);
      expect(explainCode('AGE_OUT_OF_RANGE').resolution).toMatch(/date of birth in the MIS/);
    });

    it('batch records: left out of the batch, rejected with AGE_OUT_OF_RANGE; the rest go in one batch', async () => {
      p = await startPipeline({ env: { ...FAST_BATCH_ENV, BATCH_LIMIT_REGISTRATION: '10' } });
      const ids = await submitCases(p, 'agebatch', 'batch');
      await p.settle(60_000);
      await expectOutcomes(p, ids);
      const made = await batches(p.sql);
      expect(made.map((b) => ({ kind: b.kind, status: b.status, records: b.record_count }))).toEqual([
        { kind: 'registration', status: 'completed', records: CASES.filter((c) => c.sent).length },
      ]);
    });
  },
);
