/**
 * Private Redis and Postgres servers for tests that stop and start a server mid-run (the shared ones on
 * 6379 and 5432 serve every other test, so they are never touched). Each listens on loopback on a free
 * port, keeps its files in a temporary folder and is removed by `destroy()`. They use the installed
 * binaries (redis-server; Postgres's initdb/pg_ctl from /usr/lib/postgresql/<version>/bin, as
 * scripts/ensure-services.sh installs them); Postgres runs as the `postgres` user when tests run as root.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

export interface PrivateServer {
  port: number;
  url: string;
  /** Stops the server (Redis: without saving, so its data is gone, as after a crash without persistence). */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A private redis-server on loopback: no persistence (its data dies with it), no eviction, its log in `dir`. */
function redisServerArgs(port: number, dir: string, logfile: string): string[] {
  return [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    '--logfile',
    join(dir, logfile),
  ];
}

export async function startPrivateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'lrs-redis-'));
  const ping = () =>
    run('redis-cli', ['-p', String(port), 'ping']).then(
      (r) => r.stdout.trim() === 'PONG',
      () => false,
    );
  const server: PrivateServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      await run('redis-server', ['--daemonize', 'yes', ...redisServerArgs(port, dir, 'redis.log')]);
      await waitFor(ping, `redis on ${port} did not start`);
    },
    async stop() {
      await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
      await waitFor(async () => !(await ping()), `redis on ${port} did not stop`);
    },
    async destroy() {
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

async function postgresBin(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  const v = versions[0];
  if (!v)
    throw new Error('no PostgreSQL binaries under /usr/lib/postgresql (run scripts/ensure-services.sh)');
  return `/usr/lib/postgresql/${v}/bin`;
}

export async function startPrivatePostgres(): Promise<PrivateServer> {
  const port = await freePort();
  const bin = await postgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'lrs-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  // Postgres refuses to run as root: run its tools as the postgres user then.
  const pgRun = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  if (asRoot) {
    await chmod(dir, 0o777);
  }
  await pgRun('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ready = async () => {
    await pgRun('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-q']);
    return true;
  };
  const server: PrivateServer = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await pgRun('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'postgres.log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
        '-w',
        'start',
      ]);
      await waitFor(ready, `postgres on ${port} did not start`);
    },
    async stop() {
      await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async destroy() {
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** Runs `node bin/lrs-relay.js …` as a child process and keeps what it writes. */
export function spawnRelay(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/lrs-relay.js', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (b: Buffer) => (output.stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output.stderr += b.toString()));
  return { child, output };
}

export interface PrivateCluster {
  ports: number[];
  /** REDIS_CLUSTER_NODES for these nodes. */
  nodes: string;
  /** The cluster slot of `key`. */
  slotOf(key: string): Promise<number>;
  /** The port of the master that serves `key`'s slot. */
  masterFor(key: string): Promise<number>;
  /** The ports of the live masters, as the cluster itself reports them (CLUSTER NODES). */
  masters(): Promise<number[]>;
  /** Commands one node has executed since it started (INFO stats `total_commands_processed`). */
  commandsProcessed(port: number): Promise<number>;
  /** Kills one node at once (SIGKILL: no goodbye to the cluster). */
  kill(port: number): Promise<void>;
  /** Waits until the cluster answers with every slot served again, by live masters only. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A Redis Cluster on loopback: three masters and three replicas of the installed redis-server, created
 * with `redis-cli --cluster create` and a short node timeout, so a killed master's replica takes over
 * within a few seconds.
 */
export async function startRedisCluster(): Promise<PrivateCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'lrs-cluster-'));
  const ports: number[] = [];
  while (ports.length < 6) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const cli = (port: number, ...args: string[]) => run('redis-cli', ['-p', String(port), ...args]);
  const pids = new Map<number, number>();
  for (const port of ports) {
    const child = spawn(
      'redis-server',
      [
        ...redisServerArgs(port, dir, `redis-${port}.log`),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
      ],
      { stdio: 'ignore', detached: false },
    );
    if (child.pid !== undefined) pids.set(port, child.pid);
    child.unref();
  }
  for (const port of ports) {
    await waitFor(
      () => cli(port, 'ping').then((r) => r.stdout.trim() === 'PONG'),
      `cluster node ${port} did not start`,
    );
  }
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    '1',
    '--cluster-yes',
  ]);
  const alive = new Set(ports);
  const cluster: PrivateCluster = {
    ports,
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async slotOf(key) {
      return Number((await cli([...alive][0]!, 'cluster', 'keyslot', key)).stdout.trim());
    },
    async masterFor(key) {
      const port = [...alive][0]!;
      const slot = await cluster.slotOf(key);
      const lines = (await cli(port, 'cluster', 'nodes')).stdout.trim().split('\n');
      for (const line of lines) {
        const [, addr = '', flags = '', , , , , , ...ranges] = line.split(' ');
        if (!flags.includes('master') || flags.includes('fail')) continue;
        for (const r of ranges) {
          const [a, b = a] = r.split('-').map(Number);
          if (a !== undefined && b !== undefined && slot >= a && slot <= b)
            return Number(addr.split(':')[1]?.split('@')[0]);
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    async masters() {
      const lines = (await cli([...alive][0]!, 'cluster', 'nodes')).stdout.trim().split('\n');
      // Masters that serve slots: just after `--cluster create` a replica can still be listed as a master
      // (with no slots) until the gossip of its CLUSTER REPLICATE has reached the node asked.
      return lines
        .map((line) => line.split(' '))
        .filter(
          ([, , flags = '', , , , , , ...ranges]) =>
            flags.includes('master') && !flags.includes('fail') && ranges.length > 0,
        )
        .map(([, addr = '']) => Number(addr.split(':')[1]?.split('@')[0]))
        .filter((port) => alive.has(port));
    },
    async commandsProcessed(port) {
      const info = (await cli(port, 'info', 'stats')).stdout;
      const m = /^total_commands_processed:(\d+)/m.exec(info);
      if (!m?.[1]) throw new Error(`node ${port} did not report total_commands_processed`);
      return Number(m[1]);
    },
    async kill(port) {
      const pid = pids.get(port);
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      alive.delete(port);
    },
    async waitHealthy(timeoutMs = 30_000) {
      await waitFor(
        async () => {
          for (const port of alive) {
            if (!(await cli(port, 'cluster', 'info')).stdout.includes('cluster_state:ok')) return false;
            // A killed master still counts as serving its slots until the others have noticed (the node
            // timeout): healthy only once every node sees each slot on a live master.
            const lines = (await cli(port, 'cluster', 'nodes')).stdout.trim().split('\n');
            for (const [, addr = '', flags = '', , , , , , ...ranges] of lines.map((l) => l.split(' '))) {
              const owner = Number(addr.split(':')[1]?.split('@')[0]);
              if (flags.includes('master') && ranges.length > 0 && !alive.has(owner)) return false;
            }
          }
          return true;
        },
        'the cluster was not healthy',
        timeoutMs,
      );
    },
    async destroy() {
      for (const [port, pid] of pids) {
        if (alive.has(port)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.waitHealthy();
  // Every node sees the three replicas as replicas (a failover needs them; until the gossip has gone round
  // a replica can still be listed as a master without slots).
  await waitFor(async () => {
    for (const port of ports) {
      const lines = (await cli(port, 'cluster', 'nodes')).stdout.trim().split('\n');
      if (lines.filter((l) => l.split(' ')[2]?.includes('slave')).length !== ports.length / 2) return false;
    }
    return true;
  }, 'the replicas were not seen by every node');
  return cluster;
}
