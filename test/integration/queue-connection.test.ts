/**
 * The Postgres queue store's connections cannot crash the process: a pooled client that BullMQ has
 * checked out (a transaction between two statements) and whose backend is then killed reports to the
 * connection's onError. Without the guard its 'error' event had no listener and became an uncaught
 * exception (seen once in the reliability test that kills Postgres connections).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { guardedPostgresConnection } from '../../src/queues/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('Postgres queue connection', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb?.drop());

  it('reports a checked-out client whose backend is killed to onError, not as an uncaught exception', async () => {
    const errors: Error[] = [];
    const connection = guardedPostgresConnection(
      { connectionString: tdb.url, schema: 'lrs_queue', max: 2, application_name: 'guard-test' },
      (e) => errors.push(e),
    );
    const admin = new pg.Client({ connectionString: tdb.url, application_name: 'guard-test admin' });
    await admin.connect();
    try {
      const client = await connection.pool.connect();
      await client.query('begin');
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await vi.waitFor(
        () => expect(errors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01'),
        { timeout: 5_000, interval: 20 },
      );
      client.release(true);
    } finally {
      await admin.end();
      await connection.close();
    }
  });
});
