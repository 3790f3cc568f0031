/**
 * Reading Postgres plans in tests: a database of their own filled with the rows that make a plan go
 * wrong, EXPLAIN (FORMAT JSON) of a statement, and the scans its plan makes, so a test can say which
 * index a hot statement reaches its rows through.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { Queryable } from '../../src/db/transaction.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/**
 * A fresh test database and a client on it for the describe block this is called in: made and filled by
 * `fill` before its tests, dropped after them.
 */
export function useDatabase(fill: (sql: pg.Client) => Promise<void>): { sql(): pg.Client } {
  let db: TestDatabase | undefined;
  let sql: pg.Client | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await fill(sql);
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });
  return {
    sql() {
      if (!sql) throw new Error('useDatabase: used outside a test');
      return sql;
    },
  };
}

/** Adds the database's first organisation (id 1), whose requests the plan tests fill the table with. */
export async function addOrganisation(
  sql: pg.Client,
  name: string,
  ukprn: string,
  user: string,
): Promise<void> {
  await sql.query(
    `insert into lrs.organisation (name, ukprn, password_ref, default_user_name) values ($1, $2, '{"kind":"env","name":"X"}', $3)`,
    [name, ukprn, user],
  );
}

/** One node of an EXPLAIN (FORMAT JSON) plan. */
export type PlanNode = Record<string, unknown>;

/** What EXPLAIN is run on: a pg client or pool. */
export interface PlanQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * The top node of the plan of `text` with `params`. `options` are EXPLAIN's besides FORMAT JSON, e.g.
 * 'analyze, buffers' (which runs the statement).
 */
export async function explain(
  sql: PlanQueryable,
  text: string,
  params?: unknown[],
  options = '',
): Promise<PlanNode> {
  const r = await sql.query(`explain (${options ? `${options}, ` : ''}format json) ${text}`, params);
  return (r.rows[0] as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'][0]!.Plan;
}

/**
 * Every scan of `relation` in a plan, in plan order: "<node type> <index>" ("Index Scan request_pkey")
 * or, without an index, the node type ("Seq Scan"). With `indexesOfEveryTable`, index scans of any
 * table (and a bitmap index scan, which names no table) are listed too.
 */
export function scansOf(plan: PlanNode, o: { relation: string; indexesOfEveryTable?: boolean }): string[] {
  const out: string[] = [];
  const walk = (n: PlanNode) => {
    const type = String(n['Node Type']);
    const isScanOfRelation = n['Relation Name'] === o.relation && type.includes('Scan');
    const index = n['Index Name'];
    if (typeof index === 'string' && (o.indexesOfEveryTable || isScanOfRelation))
      out.push(`${type} ${index}`);
    else if (isScanOfRelation) out.push(type);
    for (const c of (n['Plans'] as PlanNode[] | undefined) ?? []) walk(c);
  };
  walk(plan);
  return out;
}

/**
 * `client` as the code under test queries it, each statement run once under EXPLAIN (ANALYZE, BUFFERS)
 * first: `buffers()` is what the last one touched (shared hit + read, summed over the plan's top node).
 */
export function measuringBuffers(client: pg.Client): { db: Queryable; buffers(): number } {
  let buffers = 0;
  const db = {
    async query(text: string, params?: unknown[]) {
      const plan = await explain(client, text, params, 'analyze, buffers');
      buffers = Number(plan['Shared Hit Blocks'] ?? 0) + Number(plan['Shared Read Blocks'] ?? 0);
      return client.query(text, params);
    },
  } as unknown as Queryable;
  return { db, buffers: () => buffers };
}
