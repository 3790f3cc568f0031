/**
 * Seed data for the support tests, written straight into Postgres: two organisations, three staff
 * accounts and requests in every interesting state (the pipeline does not need to run).
 */
import type pg from 'pg';
import { addStaff } from '../../src/support/staff.ts';

/** A cheap scrypt cost so tests hash in milliseconds (production uses 2^15). */
export const TEST_SCRYPT_COST = 2 ** 10;
export const PASSWORD = 'correct horse battery';

export const LEARNER = {
  givenName: 'Ann',
  familyName: 'Lee',
  dateOfBirth: '2005-01-02',
  gender: '2',
  lastKnownPostCode: 'CV4 9EE',
};
export const CANDIDATES = [
  {
    uln: '1000000001',
    givenName: 'Ann',
    familyName: 'Lee',
    dateOfBirth: '2005-01-02',
    gender: '2',
    lastKnownPostCode: 'CV4 9EF',
    linkedUlns: [],
  },
  {
    uln: '1000000002',
    givenName: 'Anne',
    familyName: 'Lee',
    dateOfBirth: '2005-02-01',
    gender: '2',
    lastKnownPostCode: 'CV4 9EE',
    linkedUlns: [],
  },
];

export interface Seeded {
  orgA: number;
  orgB: number;
  /** org A: needs_action WSRC0002 (too many matches). */
  tooMany: number;
  /** org A: needs_action WSRC0003 with two candidates. */
  possible: number;
  /** org A: failed TIMEOUT. */
  failed: number;
  /** org A: succeeded. */
  succeeded: number;
  /** org A: pending. */
  pending: number;
  /** org B: needs_action WSRC0003 with candidates. */
  otherPossible: number;
  /** org B: failed. */
  otherFailed: number;
  resolutionWsrc0002: string;
}

async function insertRequest(
  c: pg.Pool | pg.Client,
  o: {
    org: number;
    kind?: string;
    status: string;
    code?: string | null;
    misId: string;
    payload?: object;
    attempts?: number;
  },
): Promise<number> {
  const r = await c.query<{ id: number }>(
    `insert into lrs.request (organisation_id, requested_by, kind, mis_learner_id, payload, status, last_code, attempts, completed_at)
     values ($1, 'mis.user', $2, $3, $4::jsonb, $5, $6, $7, case when $5 in ('succeeded','needs_action','failed','rejected','cancelled') then now() end)
     returning id`,
    [
      o.org,
      o.kind ?? 'find_by_demographics',
      o.misId,
      JSON.stringify(o.payload ?? LEARNER),
      o.status,
      o.code ?? null,
      o.attempts ?? 1,
    ],
  );
  return Number(r.rows[0]!.id);
}

async function insertOutcome(
  c: pg.Pool | pg.Client,
  id: number,
  org: number,
  o: { code: string; source: string; cls: string; uln?: string; candidates?: object[] },
) {
  await c.query(
    `insert into lrs.outcome (request_id, organisation_id, code, code_source, class, uln, candidates) values ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [id, org, o.code, o.source, o.cls, o.uln ?? null, o.candidates ? JSON.stringify(o.candidates) : null],
  );
}

async function insertAudit(
  c: pg.Pool | pg.Client,
  id: number,
  org: number,
  code: string,
  source: string,
  attempt: number,
  ms = 120,
) {
  await c.query(
    `insert into lrs.audit (organisation_id, request_id, user_name, operation, code, code_source, http_status, duration_ms, attempt)
     values ($1, $2, 'mis.user', 'learnerByDemographics', $3, $4, 200, $5, $6)`,
    [org, id, code, source, ms, attempt],
  );
}

export async function seedSupportData(pool: pg.Pool): Promise<Seeded> {
  const orgs = await pool.query<{ id: number }>(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
     values ('Alpha College', '10000001', '{"kind":"env","name":"A"}', 'nightly'),
            ('Beta College', '10000002', '{"kind":"env","name":"B"}', 'nightly')
     returning id`,
  );
  const orgA = orgs.rows[0]!.id;
  const orgB = orgs.rows[1]!.id;
  // The catalogue is seeded by migrate; these fallbacks only matter if it is not (yet) complete.
  await pool.query(
    `insert into lrs.response_code (code, source, class, meaning, retry, resolution) values
       ('WSRC0002', 'lrs', 'needs_action', 'Too many matches.', 'never', 'Add optional details in the MIS and search again.'),
       ('WSRC0003', 'lrs', 'needs_action', 'Possible match.', 'never', 'Compare the candidates with the learner and pick one.')
     on conflict (code) do nothing`,
  );
  const db = { pool };
  await addStaff(db, {
    username: 'alice',
    password: PASSWORD,
    organisationIds: [orgA],
    cost: TEST_SCRYPT_COST,
  });
  await addStaff(db, {
    username: 'bob',
    password: PASSWORD,
    organisationIds: [orgB],
    cost: TEST_SCRYPT_COST,
  });
  await addStaff(db, { username: 'root', password: PASSWORD, isAdmin: true, cost: TEST_SCRYPT_COST });

  const tooMany = await insertRequest(pool, {
    org: orgA,
    status: 'needs_action',
    code: 'WSRC0002',
    misId: 'STU-TOOMANY',
  });
  await insertOutcome(pool, tooMany, orgA, { code: 'WSRC0002', source: 'lrs', cls: 'needs_action' });
  await insertAudit(pool, tooMany, orgA, 'WSRC0002', 'lrs', 1);

  const possible = await insertRequest(pool, {
    org: orgA,
    status: 'needs_action',
    code: 'WSRC0003',
    misId: 'STU-POSSIBLE',
  });
  await insertOutcome(pool, possible, orgA, {
    code: 'WSRC0003',
    source: 'lrs',
    cls: 'needs_action',
    candidates: CANDIDATES,
  });
  await insertAudit(pool, possible, orgA, 'WSRC0003', 'lrs', 1);

  const failed = await insertRequest(pool, {
    org: orgA,
    status: 'failed',
    code: 'TIMEOUT',
    misId: 'STU-FAILED',
    attempts: 5,
  });
  await insertOutcome(pool, failed, orgA, { code: 'TIMEOUT', source: 'relay', cls: 'retryable' });
  for (let a = 1; a <= 5; a++) await insertAudit(pool, failed, orgA, 'TIMEOUT', 'relay', a, 20_000);

  const succeeded = await insertRequest(pool, {
    org: orgA,
    status: 'succeeded',
    code: 'WSRC0004',
    misId: 'STU-OK',
  });
  await insertOutcome(pool, succeeded, orgA, {
    code: 'WSRC0004',
    source: 'lrs',
    cls: 'success',
    uln: '1000000003',
  });

  const pending = await insertRequest(pool, {
    org: orgA,
    status: 'pending',
    misId: 'STU-PENDING',
    attempts: 0,
  });

  const otherPossible = await insertRequest(pool, {
    org: orgB,
    status: 'needs_action',
    code: 'WSRC0003',
    misId: 'STU-B-POSSIBLE',
  });
  await insertOutcome(pool, otherPossible, orgB, {
    code: 'WSRC0003',
    source: 'lrs',
    cls: 'needs_action',
    candidates: CANDIDATES,
  });
  const otherFailed = await insertRequest(pool, {
    org: orgB,
    status: 'failed',
    code: 'TIMEOUT',
    misId: 'STU-B-FAILED',
  });

  const rc = await pool.query<{ resolution: string }>(
    `select resolution from lrs.response_code where code = 'WSRC0002'`,
  );
  return {
    orgA,
    orgB,
    tooMany,
    possible,
    failed,
    succeeded,
    pending,
    otherPossible,
    otherFailed,
    resolutionWsrc0002: rc.rows[0]!.resolution,
  };
}
