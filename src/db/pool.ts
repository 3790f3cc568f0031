/**
 * Postgres access: one pg Pool per process, wrapped by drizzle. Every connection gets a statement
 * timeout so no SQL statement can hang a worker forever.
 */
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from '../../db/schema.ts';

export type Db = NodePgDatabase<typeof schema>;
export interface Database {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

/** What support code (CLI, dashboard, staff accounts) needs of a Database: the pool only. */
export type SupportDb = Pick<Database, 'pool'>;

export interface CreateDatabaseOptions {
  url: string;
  /** Max connections in the pool (default 10). */
  poolSize?: number;
  /** Statement timeout per SQL statement, ms (default 30000). */
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity; tests use it to find leaked connections. */
  applicationName?: string;
}

// bigint columns (counts, ids) come back as numbers: ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createDatabase(o: CreateDatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize ?? 10,
    statement_timeout: o.statementTimeoutMs ?? 30_000,
    application_name: o.applicationName ?? 'lrs-relay',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection (Postgres restart, killed backend) must not crash the process;
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  // Same for a client that is checked out but between statements when its backend is killed: without a
  // listener the 'error' event would be uncaught. The statement it runs next fails instead, and is retried.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema });
  let closed = false;
  return {
    pool,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

export { schema };
