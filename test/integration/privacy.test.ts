/**
 * Personal data never reaches a log line or the queue store: run work with distinctive names, dates of
 * birth, postcodes and e-mail addresses through every path (success, possible match, local refusal, LRS
 * faults, retries), logging at debug, then search every log line and everything the queue store holds
 * (every Redis key and value, or every row of every table in the Postgres queue schema).
 */
import { quoteSchemaName } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';
import { redisUrl } from '../helpers/urls.ts';

const PERSONAL = {
  givenName: 'Zephyrinë',
  familyName: 'Quillfeather',
  dateOfBirth: '1999-12-31',
  gender: '2',
  lastKnownPostCode: 'ZE1 0AA',
  emailAddress: 'zephyrine.quillfeather@example.org',
  verificationType: '1',
  abilityToShare: '1',
};
const NEEDLES = [
  'Zephyrin',
  'Quillfeather',
  'QUILLFEATHER',
  '1999-12-31',
  'ZE1 0AA',
  'ZE10AA',
  'zephyrine.quillfeather',
];

/** Every key and value under one queue prefix, as text. */
async function dumpRedis(prefix: string): Promise<string> {
  const r = new Redis(redisUrl());
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `{${prefix}:*`, 'COUNT', '500');
      cursor = next;
      for (const key of keys) {
        out.push(key);
        const type = await r.type(key);
        if (type === 'string') out.push((await r.get(key)) ?? '');
        else if (type === 'hash') out.push(JSON.stringify(await r.hgetall(key)));
        else if (type === 'list') out.push(JSON.stringify(await r.lrange(key, 0, -1)));
        else if (type === 'set') out.push(JSON.stringify(await r.smembers(key)));
        else if (type === 'zset') out.push(JSON.stringify(await r.zrange(key, '0', '-1')));
        else if (type === 'stream') out.push(JSON.stringify(await r.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return out.join('\n');
}

/** Every row of every table in the queue schema, as text. */
async function dumpQueueSchema(databaseUrl: string, schema: string): Promise<string> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const out: string[] = [];
  try {
    const tables = await c.query<{ name: string }>(
      `select table_name as name from information_schema.tables where table_schema = $1 order by 1`,
      [schema],
    );
    for (const { name } of tables.rows) {
      const rows = await c.query<{ row: string }>(
        `select t::text as row from ${quoteSchemaName(schema)}.${quoteSchemaName(name)} t`,
      );
      out.push(name, ...rows.rows.map((r) => r.row));
    }
  } finally {
    await c.end();
  }
  return out.join('\n');
}

/** Everything the run's queue store holds, as text. */
function dumpQueueStore(p: Pipeline): Promise<string> {
  return p.backend === 'redis'
    ? dumpRedis(p.prefix)
    : dumpQueueSchema(p.config.DATABASE_URL, p.config.QUEUE_SCHEMA);
}

describe.each(TEST_BACKENDS)('privacy on %s', (backend) => {
  it('keeps personal data out of every log line and everything the queue store holds', async () => {
    const p = await startPipeline({
      backend,
      simulator: { faults: { errorRate: 0.3, timeoutRate: 0.1 } },
      env: { LOG_LEVEL: 'debug', LRS_TIMEOUT_MS: '300' },
    });
    try {
      const ids = [
        await p.submit('register', 'P-1', PERSONAL),
        await p.submit('find_by_demographics', 'P-2', PERSONAL),
        await p.submit('register', 'P-3', {
          ...PERSONAL,
          dateOfBirth: '1999-02-30',
          lastKnownPostCode: 'ZE1 0AA!',
        }),
        await p.submit('verify', 'P-4', {
          uln: '1026893096',
          givenName: PERSONAL.givenName,
          familyName: PERSONAL.familyName,
        }),
        await p.submit('learning_events', 'P-5', {
          uln: '1026893096',
          givenName: PERSONAL.givenName,
          familyName: PERSONAL.familyName,
        }),
      ];
      await p.settle(60_000);
      // The data did flow (so the search below is meaningful)...
      const stored = await p.sql.query('select payload from lrs.request where id = any($1)', [ids]);
      expect(JSON.stringify(stored.rows)).toContain('Quillfeather');
      expect(p.logLines.length).toBeGreaterThan(5);
      // ...but not into logs or the queue store.
      const logs = p.logLines.join('\n');
      const store = await dumpQueueStore(p);
      // The store did carry these requests' jobs (by id), so searching it means something.
      expect(store).toMatch(new RegExp(`req-(${ids.join('|')})\\b`));
      for (const needle of NEEDLES) {
        expect(logs, `log lines contain ${needle}`).not.toContain(needle);
        expect(store, `the queue store (${backend}) contains ${needle}`).not.toContain(needle);
      }
    } finally {
      await p.stop();
    }
  });
});
