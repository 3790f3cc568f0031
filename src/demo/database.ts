/**
 * The demo's own database: dropped and created again on every run (never the configured one, so real
 * data is never touched), migrated, given the sample MIS schema and the demo organisation.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase } from '../db/pool.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { insertOrganisation } from '../orgs/store.ts';

export const SAMPLE_MIS_SQL = fileURLToPath(new URL('../../db/sample-mis.sql', import.meta.url));
export const DEMO_DATABASE_NAME = 'lrs_relay_demo';
/** The environment variable the demo organisation's password reference names (set in-process only). */
export const DEMO_PASSWORD_ENV = 'LRS_DEMO_PASSWORD';
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `url` with its database name replaced. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withMaintenance<T>(baseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  // CREATE/DROP DATABASE cannot run inside the database concerned: use the server's maintenance database.
  const c = new pg.Client({
    connectionString: withDatabase(baseUrl, 'postgres'),
    application_name: 'lrs-relay demo setup',
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Drops (if present) and creates `name` on the server of `baseUrl`, then migrates it. Returns its URL. */
/** Drops and recreates the demo database and migrates it (with BullMQ's queue tables in `queueSchema` when given). */
export async function recreateDemoDatabase(
  baseUrl: string,
  name: string,
  o: { queueSchema?: string } = {},
): Promise<string> {
  if (!DATABASE_NAME.test(name))
    throw new Error(
      `demo database name must be lower-case letters, digits and _ (got ${JSON.stringify(name)})`,
    );
  await withMaintenance(baseUrl, async (c) => {
    // The name is checked above; identifiers cannot be bound as parameters.
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  });
  const url = withDatabase(baseUrl, name);
  await migrateDatabase(url, o);
  return url;
}

/** Drops the demo database (tests; the CLI leaves it for the user to look at). */
export async function dropDemoDatabase(baseUrl: string, name: string): Promise<void> {
  if (!DATABASE_NAME.test(name)) throw new Error('bad demo database name');
  await withMaintenance(baseUrl, (c) => c.query(`drop database if exists "${name}" with (force)`));
}

/** Applies db/sample-mis.sql (idempotent). */
export async function createSampleMis(pool: pg.Pool): Promise<void> {
  await pool.query(await readFile(SAMPLE_MIS_SQL, 'utf8'));
}

/** Adds the simulator's default organisation, its password read from `DEMO_PASSWORD_ENV` by reference. */
export async function addDemoOrganisation(
  url: string,
  o: { ukprn: string; concurrency: number },
): Promise<void> {
  const database = createDatabase({ url, poolSize: 1, applicationName: 'lrs-relay demo setup' });
  try {
    await insertOrganisation(database.db, {
      name: 'Demo College (simulated LRS)',
      ukprn: o.ukprn,
      organisationRef: null,
      vendorId: 0,
      passwordRef: { kind: 'env', name: DEMO_PASSWORD_ENV },
      certificateRef: null,
      certificateNotAfter: null,
      defaultUserName: 'lrs-relay demo',
      concurrencyShare: o.concurrency,
      rateLimitPerSecond: null,
    });
  } finally {
    await database.close();
  }
}
