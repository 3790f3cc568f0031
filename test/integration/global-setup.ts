/**
 * Once per `vitest run`: create a migrated template database. Each integration test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds, and drops its clone when done.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { adminUrl, databaseUrl } from '../helpers/urls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `lrs_test_tmpl_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  // Every clone carries BullMQ's Postgres queue schema too, for the tests that run on QUEUE_BACKEND=postgres.
  await migrateDatabase(databaseUrl(name), { queueSchema: 'lrs_queue' });
  project.provide('templateDatabase', name);
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    try {
      await c.query(`drop database if exists ${name} with (force)`);
    } finally {
      await c.end();
    }
  };
}
