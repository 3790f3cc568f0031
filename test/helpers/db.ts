/**
 * A fresh database per integration test file, cloned from the migrated template, and a check at the
 * end that the code under test closed every connection it opened (a leak fails the test).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { adminUrl, databaseUrl } from './urls.ts';

export interface TestDatabase {
  name: string;
  url: string;
  /** Fails if any connection to the database is still open, then drops it. */
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const name = `lrs_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (c) => {
    // Two clones of one template at the same moment collide ("being accessed by other users"): retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`create database ${name} template ${template}`);
        return;
      } catch (e) {
        if (attempt >= 50 || !/being accessed by other users/.test(String(e))) throw e;
        await sleep(100 + Math.random() * 200);
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      await withAdmin(async (c) => {
        // Give just-ended pools a moment to let their backends go.
        let open: { application_name: string; state: string }[] = [];
        for (let i = 0; i < 20; i++) {
          const r = await c.query(
            'select application_name, state from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [name],
          );
          open = r.rows as typeof open;
          if (open.length === 0) break;
          await sleep(50);
        }
        await c.query(`drop database if exists ${name} with (force)`);
        if (open.length > 0) {
          throw new Error(
            `leaked ${open.length} Postgres connection(s) to the test database: ${open.map((o) => o.application_name || '?').join(', ')}`,
          );
        }
      });
    },
  };
}
