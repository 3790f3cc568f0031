/**
 * Acceptance for QUEUE_BACKEND=postgres: `lrs-relay demo --learners 500 --json` finishes with every
 * request terminal while REDIS_URL points at a port where nothing listens (no Redis is needed at all).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../db/schema.ts';
import { dropDemoDatabase, withDatabase } from '../../src/demo/database.ts';
import { adminUrl } from '../helpers/urls.ts';

/** A loopback port nothing listens on: bound once by us, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('lrs-relay demo --backend postgres, with no Redis', () => {
  const name = `lrs_demo_pgq_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    await dropDemoDatabase(adminUrl(), name);
  });

  it('finishes 500 students with every request terminal once and nobody registered twice', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/lrs-relay.js', 'demo', '--learners', '500', '--json', '--database', name],
      {
        env: {
          ...process.env,
          QUEUE_BACKEND: 'postgres',
          REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
          DATABASE_URL: adminUrl(),
          LOG_LEVEL: 'silent',
        },
        timeout: 150_000,
        maxBuffer: 1 << 20,
      },
    );
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      requests: number;
      byStatus: Record<string, number>;
      duplicateRegistrations: number;
    };
    expect(summary.requests).toBeGreaterThanOrEqual(495);
    expect(
      Object.keys(summary.byStatus).every((s) => (TERMINAL_STATUSES as readonly string[]).includes(s)),
    ).toBe(true);
    expect(Object.values(summary.byStatus).reduce((a, b) => a + b, 0)).toBe(summary.requests);
    expect(summary.duplicateRegistrations).toBe(0);

    const pool = new pg.Pool({ connectionString: withDatabase(adminUrl(), name), max: 1 });
    try {
      // Postgres agrees: nothing open, one attempt history per request, and the queues were the Postgres ones.
      const open = await pool.query<{ n: number }>(
        `select count(*)::int as n from lrs.request where status <> all($1::text[])`,
        [TERMINAL_STATUSES],
      );
      expect(open.rows[0]?.n).toBe(0);
      const schema = await pool.query<{ t: string | null }>(`select to_regclass('lrs_queue.job')::text as t`);
      expect(schema.rows[0]?.t).toBe('lrs_queue.job');
    } finally {
      await pool.end();
    }
  }, 170_000);
});
