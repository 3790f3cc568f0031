/**
 * The LRS in maintenance answers every call with HTTP 405 and its maintenance fault (ErrorCode WSEC0001,
 * Description UnsupportedHttpVerb; test/fixtures/lrs/responses/fault-maintenance-UnsupportedHttpVerb.response.xml).
 * A fake LRS in front of the simulator sends that fixture while a window is open and counts the calls that
 * reach it: no request may fail, the queue must be seen paused (no calls for most of each pause, not just
 * attempts left over), and everything must finish once the LRS answers normally. Single calls, and a
 * registration batch whose submit and whose polls meet the window.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../src/codes/retry-policy.ts';
import { assertSettledOnce, countTerminal, learners } from '../helpers/chaos.ts';
import { FAST_RETRY_POLICY, startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_BACKENDS } from '../helpers/queues.ts';
import { waitUntil } from '../helpers/wait.ts';
import { batches, FAST_BATCH_ENV, newLearner } from './batch-fixtures.ts';

const MAINTENANCE_FAULT = readFileSync(
  new URL('../fixtures/lrs/responses/fault-maintenance-UnsupportedHttpVerb.response.xml', import.meta.url),
  'utf8',
);

/** Long enough to see a quiet stretch in the calls, short enough for a quick test. */
const PAUSE_MS = 1_500;
const POLICY: RetryPolicy = {
  ...FAST_RETRY_POLICY,
  maintenance: { ...FAST_RETRY_POLICY.maintenance, pauseQueueMs: PAUSE_MS },
};

interface Call {
  at: number;
  /** Local name of the SOAP body's root element (the operation's message). */
  message: string;
  maintenance: boolean;
}

/** A fake LRS: the fixture with HTTP 405 while `maintenance` says so, else the simulator's own answer. */
interface FakeLrs {
  url: string;
  calls: Call[];
  /** In maintenance: every call, or only calls whose message is listed. */
  maintenance: false | true | readonly string[];
  target: string;
  close(): Promise<void>;
}

async function startFakeLrs(): Promise<FakeLrs> {
  const fake: FakeLrs = {
    url: '',
    calls: [],
    maintenance: true,
    target: '',
    close: async () => {},
  };
  const read = async (req: IncomingMessage) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    return Buffer.concat(parts).toString('utf8');
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await read(req);
    const message = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([\w]+)/.exec(body)?.[1] ?? '';
    const m = fake.maintenance;
    const down = m === true || (Array.isArray(m) && m.includes(message));
    fake.calls.push({ at: Date.now(), message, maintenance: down });
    if (down) {
      res.writeHead(405, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(MAINTENANCE_FAULT);
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'soapaction'])
      if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
    const r = await fetch(`${fake.target}${req.url ?? '/'}`, { method: req.method, headers, body });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
    res.end(await r.text());
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}

/** Calls (of `messages`, or all) that came in between `from` and `to` (ms since the epoch). */
function callsBetween(calls: Call[], from: number, to: number, messages?: readonly string[]): Call[] {
  return calls.filter((c) => c.at > from && c.at < to && (!messages || messages.includes(c.message)));
}

/** The calls' times from the first, for failure messages. */
function offsets(calls: Call[]): string {
  return `calls at ms ${calls.map((c) => c.at - (calls[0]?.at ?? 0)).join(', ')}`;
}

describe.each(TEST_BACKENDS)('the LRS in maintenance on %s', { timeout: 90_000 }, (backend) => {
  let p: Pipeline | undefined;
  let fake: FakeLrs | undefined;
  afterEach(async () => {
    await p?.stop();
    await fake?.close();
    p = undefined;
    fake = undefined;
  });

  it('single calls: the queue pauses (no calls for most of each pause), nothing fails, all finish after', async () => {
    fake = await startFakeLrs();
    p = await startPipeline({
      backend,
      env: { LRS_BASE_URL: fake.url, RATE_LIMIT_PER_SECOND: '10000' },
      relay: { retryPolicy: POLICY },
    });
    fake.target = p.simulator.url;
    const rows = learners(30, 'W');
    for (const [i, row] of rows.entries()) await p.submit('register', `W-${i}`, row);
    const f = fake;
    await waitUntil(async () => f.calls.length > 0);
    // Three pauses' worth of window. Without the pause every job would burn its 8 attempts (50–400 ms
    // apart) in about 2 s, calling all the while, and fail.
    await sleep(3 * PAUSE_MS);
    expect(await countTerminal(p)).toBe(0);
    const during = callsBetween(f.calls, 0, Date.now());
    expect(during.every((c) => c.maintenance)).toBe(true);
    // Each 405 pauses the queue for PAUSE_MS: the jobs already running then make their one call each, and
    // no job starts until the pause is over. So the calls leave a quiet stretch of a whole pause (without
    // the pause they come 50–400 ms apart), and there are at most about the worker's concurrency (16) per
    // pause, where 30 jobs spending their attempts would make over 200.
    const gaps = during.slice(1).map((c, i) => c.at - during[i]!.at);
    expect(Math.max(...gaps), offsets(during)).toBeGreaterThanOrEqual(PAUSE_MS - 100);
    expect(during.length, offsets(during)).toBeLessThanOrEqual(16 * 4);
    // Each call the LRS answered so is one attempt recorded as LRS_MAINTENANCE, never as WSEC0001.
    const codes = await p.sql.query(`select distinct code from lrs.audit`);
    expect(codes.rows).toEqual([{ code: 'LRS_MAINTENANCE' }]);

    f.maintenance = false;
    await p.settle(60_000);
    await assertSettledOnce(p, 30);
    const notSucceeded = await p.sql.query(
      `select count(*)::int as n from lrs.request where status <> 'succeeded'`,
    );
    expect(notSucceeded.rows[0].n).toBe(0);
    // The pauses used no attempts: each request's count (the one the retry decision reads) is its one
    // successful attempt, so a request that met the window still has its whole retry budget after it.
    const attempts = await p.sql.query(`select attempts, count(*)::int as n from lrs.request group by 1`);
    expect(attempts.rows).toEqual([{ attempts: 1, n: 30 }]);
  });

  it('a registration batch: its submit and then its polls pause the batch queue; nothing fails', async () => {
    fake = await startFakeLrs();
    p = await startPipeline({
      backend,
      simulator: { batchTiming: { inProgressAfterMs: 50, doneAfterMs: 300 } },
      env: { ...FAST_BATCH_ENV, LRS_BASE_URL: fake.url },
      relay: { retryPolicy: POLICY },
    });
    fake.target = p.simulator.url;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await p.submit('register', `B-${i}`, newLearner(i, 'maint'), { mode: 'batch' }));
    const f = fake;
    const submits = ['SubmitBatch'];
    await waitUntil(async () => callsBetween(f.calls, 0, Date.now(), submits).length > 0);
    const firstSubmit = f.calls.find((c) => c.message === 'SubmitBatch')!.at;
    await sleep(2 * PAUSE_MS + 500);
    // Submits: one per pause. Without the pause they are retried 50–400 ms apart (10 attempts in about
    // 2.5 s) and the requests go back to pending.
    expect(callsBetween(f.calls, firstSubmit + 300, firstSubmit + PAUSE_MS - 200, submits)).toEqual([]);
    expect(callsBetween(f.calls, 0, Date.now(), submits).length).toBeLessThanOrEqual(3);
    expect(await countTerminal(p)).toBe(0);
    // Between submits the batch waits assembled (or is being sent again, when a pause has just ended).
    expect(['assembled', 'submitting']).toContain((await batches(p.sql))[0]?.status);

    // The submit goes through; the polls meet the window now.
    f.maintenance = ['GetSubmitBatchOutput'];
    const polls = ['GetSubmitBatchOutput'];
    await waitUntil(async () => f.calls.some((c) => c.message === 'GetSubmitBatchOutput'));
    const firstPoll = f.calls.find((c) => c.message === 'GetSubmitBatchOutput')!.at;
    await sleep(2 * PAUSE_MS + 500);
    // Polls on their own come every 100–800 ms (BATCH_POLL_MAX_MS); paused, none for most of the pause.
    expect(callsBetween(f.calls, firstPoll + 300, firstPoll + PAUSE_MS - 200, polls)).toEqual([]);
    expect(callsBetween(f.calls, 0, Date.now(), polls).length).toBeLessThanOrEqual(3);
    expect(await countTerminal(p)).toBe(0);
    expect((await batches(p.sql)).map((b) => b.status)).toEqual(['submitted']);

    f.maintenance = false;
    await p.settle(30_000);
    const b = (await batches(p.sql))[0]!;
    expect(b).toMatchObject({ status: 'completed' });
    const rows = await p.sql.query(
      `select r.status, o.code, r.mode from lrs.request r join lrs.outcome o on o.request_id = r.id where r.id = any($1)`,
      [ids],
    );
    expect(rows.rows).toEqual(ids.map(() => ({ status: 'succeeded', code: 'RC001', mode: 'batch' })));
    expect(callsBetween(f.calls, 0, Date.now(), submits).filter((c) => !c.maintenance)).toHaveLength(1);
    expect(p.simulator.admin.stats().duplicateRegistrations).toBe(0);
    // The submits that met the window used no attempt: each member's count (lrs.request.attempts, the one
    // the batch submit's retry decision reads) is the one submit that went through.
    expect(callsBetween(f.calls, 0, Date.now(), submits).filter((c) => c.maintenance).length).toBeGreaterThan(
      0,
    );
    const attempts = await p.sql.query(
      `select attempts, count(*)::int as n from lrs.request where id = any($1::bigint[]) group by 1`,
      [ids],
    );
    expect(attempts.rows).toEqual([{ attempts: 1, n: 5 }]);
  });
});
