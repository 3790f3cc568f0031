/**
 * What the chaos tests share: new, distinct learners to register (plus finds of a known learner), and
 * the end check that every request is terminal exactly once and nobody was registered twice.
 */
import type pg from 'pg';
import { expect } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import type { Pipeline } from './pipeline.ts';

/** What the checks need of a run: its database and simulator (a Pipeline, or a relay run as a child). */
export interface Run {
  sql: pg.Pool;
  simulator: Simulator;
  submit: Pipeline['submit'];
}

const REGISTER_EXTRA = { verificationType: '1', abilityToShare: '1' };

/** n new, distinct learners (no match at the simulator: each has its own date of birth). */
export function learners(n: number, tag: string): Record<string, string>[] {
  const start = Date.UTC(1985, 0, 1);
  return Array.from({ length: n }, (_, i) => ({
    givenName: `Given${tag}`,
    familyName: `Family${tag}${i}`,
    dateOfBirth: new Date(start + i * 86_400_000).toISOString().slice(0, 10),
    gender: String(1 + (i % 2)),
    lastKnownPostCode: 'CV4 9EE',
    ...REGISTER_EXTRA,
  }));
}

export async function submitAll(p: Run, rows: Record<string, string>[], tag: string): Promise<void> {
  const ex = p.simulator.admin.examples().exact!;
  for (let i = 0; i < rows.length; i += 200) {
    await Promise.all(
      rows.slice(i, i + 200).map((row, j) =>
        (i + j) % 5 === 0
          ? p.submit('find_by_uln', `${tag}-${i + j}`, {
              uln: ex.uln,
              givenName: ex.givenName,
              familyName: ex.familyName,
            })
          : p.submit('register', `${tag}-${i + j}`, row),
      ),
    );
  }
}

/** Every request terminal exactly once, one outcome each, no duplicate registrations. */
export async function assertSettledOnce(p: Run, expected: number): Promise<void> {
  const r = await p.sql.query(
    `select count(*)::int as requests,
            count(*) filter (where status in ('succeeded','needs_action','rejected','failed','cancelled'))::int as terminal,
            (select count(*)::int from lrs.outcome) as outcomes
       from lrs.request`,
  );
  const breakdown = await p.sql.query(
    `select r.kind, r.status, o.code, count(*)::int as n from lrs.request r left join lrs.outcome o on o.request_id = r.id
      group by 1, 2, 3 order by 4 desc`,
  );
  const summary = JSON.stringify(breakdown.rows);
  expect(r.rows[0], summary).toEqual({ requests: expected, terminal: expected, outcomes: expected });
  const stats = p.simulator.admin.stats();
  expect(stats.duplicateRegistrations).toBe(0);
  // Every learner in these runs is a new, distinct person: each register request must end with its own
  // ULN (WSRC0005, or WSRC0004 when an earlier attempt registered it and the answer was lost; RC001 or
  // RC002 from a registration batch), and the
  // LRS must have registered each exactly once.
  const regs = await p.sql.query(
    `select count(*)::int as n, count(distinct o.uln)::int as ulns,
            count(*) filter (where o.code in ('WSRC0005', 'WSRC0004', 'RC001', 'RC002'))::int as found
       from lrs.request r join lrs.outcome o on o.request_id = r.id where r.kind = 'register'`,
  );
  expect(regs.rows[0], summary).toEqual({ n: regs.rows[0].n, ulns: regs.rows[0].n, found: regs.rows[0].n });
  expect(stats.registrations).toBe(regs.rows[0].n);
}

export async function countTerminal(p: Pick<Run, 'sql'>): Promise<number> {
  const r = await p.sql.query(
    `select count(*)::int as n from lrs.request where status in ('succeeded','needs_action','rejected','failed','cancelled')`,
  );
  return r.rows[0].n as number;
}

/**
 * Prints (as one JSON line) the time from `recoveredAt` (when the disturbance ended) to the last
 * request's completion: what the reconcile settings and retry delays govern (docs/operations.md).
 */
export async function reportRecovery(
  p: Pick<Run, 'sql'>,
  disturbance: string,
  recoveredAt: number,
): Promise<number> {
  const r = await p.sql.query<{ last: Date | null }>('select max(completed_at) as last from lrs.request');
  const ms = Math.max(0, (r.rows[0]?.last?.getTime() ?? recoveredAt) - recoveredAt);
  console.info(JSON.stringify({ disturbance, recoveryToLastTerminalMs: ms }));
  return ms;
}
