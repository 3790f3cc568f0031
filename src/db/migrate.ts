/**
 * Applies the committed migrations under a Postgres advisory lock, so two processes starting at
 * once (or `migrate` run twice) leave one correct schema, then the live SQL functions
 * (db/functions), then seeds the response-code catalogue.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { seedResponseCodes } from './response-codes.ts';
import { migrateQueueSchema } from '../queues/postgres.ts';
import { errorMessage } from '../errors.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../db/migrations', import.meta.url));
/**
 * The live definitions of functions the MIS calls (db/functions/*.sql, in name order), applied after the
 * migrations on every run: one file per function instead of a copy of it in each migration that changes
 * it. A migration is still needed to change a function's signature or grants.
 */
export const FUNCTIONS_FOLDER = fileURLToPath(new URL('../../db/functions', import.meta.url));
/** Arbitrary constant: "lrsrelay" as an int64-ish key shared by every lrs-relay process. */
const MIGRATION_LOCK_KEY = 7_372_616_961;

export interface MigrateResult {
  applied: number;
  total: number;
  responseCodes: number;
  /** BullMQ's Postgres schema version, when `queueSchema` was given. */
  queueSchemaVersion?: number;
}

/**
 * Applies the migrations to the database at `url`; with `queueSchema` (QUEUE_BACKEND=postgres) also
 * creates or upgrades BullMQ's queue tables in that schema.
 */
export async function migrateDatabase(url: string, o: { queueSchema?: string } = {}): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url, application_name: 'lrs-relay migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const before = await countApplied(client);
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      const after = await countApplied(client);
      await applyFunctions(client);
      const responseCodes = await seedResponseCodes(client);
      if (o.queueSchema === undefined) return { applied: after - before, total: after, responseCodes };
      const queueSchemaVersion = await migrateQueueSchema(client, o.queueSchema);
      return { applied: after - before, total: after, responseCodes, queueSchemaVersion };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/** The SQL of each file in db/functions, in name order. */
export function readFunctionFiles(): { file: string; sql: string }[] {
  return readdirSync(FUNCTIONS_FOLDER)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => ({ file, sql: readFileSync(join(FUNCTIONS_FOLDER, file), 'utf8') }));
}

async function applyFunctions(client: pg.Client): Promise<void> {
  for (const { file, sql } of readFunctionFiles()) {
    try {
      // One simple query: its statements run in one implicit transaction.
      await client.query(sql);
    } catch (e) {
      throw new Error(`db/functions/${file} failed to apply: ${errorMessage(e)}`, {
        cause: e,
      });
    }
  }
}

async function countApplied(client: pg.Client): Promise<number> {
  const exists = await client.query(`select to_regclass('drizzle.__drizzle_migrations') as t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
  return (r.rows[0]?.n as number | undefined) ?? 0;
}
