/**
 * Acceptance for QUEUE_BACKEND=postgres: `lrs-relay demo --learners 500 --json` finishes with every
 * request terminal while REDIS_URL points at a listener that counts the connections made to it and
 * closes each one: no Redis is needed at all, and none is opened (README "Deployment sizes"). A port
 * where nothing listens would not show it: a connection refused is retried in the background while the
 * work goes on without it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../db/schema.ts';
import { dropDemoDatabase, withDatabase } from '../../src/demo/database.ts';
import { adminUrl } from '../helpers/urls.ts';

/** Where REDIS_URL points: counts the connections made to it and closes each at once. */
async function startRedisTrap(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, port, connections: () => connections };
}

describe('lrs-relay demo --backend postgres, with no Redis', () => {
  const name = `lrs_demo_pgq_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    await dropDemoDatabase(adminUrl(), name);
  });

  it('finishes 500 students with every request terminal once and nobody registered twice', async () => {
    const trap = await startRedisTrap();
    const stop = new AbortController();
    // The first connection fails the test at once (and stops the demo) rather than after the run.
    const opened = new Promise<never>((_, reject) =>
      trap.server.once('connection', () => {
        reject(new Error('the relay opened a connection to REDIS_URL with QUEUE_BACKEND=postgres'));
        stop.abort();
      }),
    );
    const run = promisify(execFile)(
      process.execPath,
      ['bin/lrs-relay.js', 'demo', '--learners', '500', '--json', '--database', name],
      {
        env: {
          ...process.env,
          QUEUE_BACKEND: 'postgres',
          REDIS_URL: `redis://127.0.0.1:${trap.port}`,
          DATABASE_URL: adminUrl(),
          LOG_LEVEL: 'silent',
        },
        timeout: 150_000,
        maxBuffer: 1 << 20,
        signal: stop.signal,
      },
    );
    const { stdout } = await Promise.race([run, opened]).finally(
      () => new Promise<void>((resolve) => trap.server.close(() => resolve())),
    );
    expect(trap.connections()).toBe(0);
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
