import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
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
