import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { addDemoStaff } from '../../src/demo/run-demo.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { isPortOpen, isRedisAt } from '../../src/demo/services.ts';
import { formatBar } from '../../src/demo/progress.ts';
import { generatePopulation } from '../../src/demo/population.ts';

async function withServer(reply: string, fn: (port: number) => Promise<void>): Promise<void> {
  const server = createServer((s) => s.once('data', () => s.end(reply)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as AddressInfo).port);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('demo: services', () => {
  it('tells Redis from something else answering on the port', async () => {
    await withServer('+PONG\r\n', async (port) => expect(await isRedisAt('127.0.0.1', port)).toBe(true));
    await withServer('-NOAUTH Authentication required.\r\n', async (port) =>
      expect(await isRedisAt('127.0.0.1', port)).toBe(true),
    );
    await withServer('HTTP/1.1 400 Bad Request\r\n\r\n', async (port) => {
      expect(await isPortOpen('127.0.0.1', port)).toBe(true);
      expect(await isRedisAt('127.0.0.1', port)).toBe(false);
    });
    let closed = 0;
    await withServer('', async (port) => {
      closed = port;
    });
    expect(await isPortOpen('127.0.0.1', closed)).toBe(false);
    expect(await isRedisAt('127.0.0.1', closed)).toBe(false);
  });
});

describe('demo: population and progress', () => {
  it('is deterministic per seed and holds every scenario', () => {
    const a = generatePopulation(500, 7);
    expect(generatePopulation(500, 7)).toEqual(a);
    expect(a.students).toHaveLength(500);
    expect(new Set(a.students.map((s) => s.studentId)).size).toBe(500);
    expect(new Set(a.students.map((s) => s.scenario))).toEqual(
      new Set([
        'new',
        'exact',
        'verify',
        'linked',
        'possible',
        'tooMany',
        'badName',
        'badDate',
        'badPostcode',
        'badUln',
        'incomplete',
      ]),
    );
    expect(new Set(a.lrsLearners.map((l) => l.uln)).size).toBe(a.lrsLearners.length);
  });

  it('draws a bar with the open statuses', () => {
    expect(formatBar({ total: 200, done: 50, byStatus: { succeeded: 50, queued: 150 } }, 1.25, 10)).toBe(
      '[###-------]  50/200  25%  1.3s  (queued 150)',
    );
  });
});

describe('demo: dashboard login', () => {
  it('is an admin granted the demo organisation, so it sees learners and can resolve matches', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const org = await pool.query<{ id: number }>(
        `insert into lrs.organisation (name, ukprn, password_ref, default_user_name)
         values ('Demo College', '10000001', '{"kind":"env","name":"X"}', 'demo') returning id`,
      );
      const login = await addDemoStaff(pool, createLogger({ level: 'silent' }));
      expect(login?.username).toBe('demo');
      const r = await pool.query(
        `select u.is_admin, array_agg(so.organisation_id) as orgs from lrs.staff_user u
           join lrs.staff_organisation so on so.staff_user_id = u.id where u.username = 'demo' group by u.id`,
      );
      expect(r.rows).toEqual([{ is_admin: true, orgs: [org.rows[0]?.id] }]);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
