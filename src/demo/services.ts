/**
 * Makes Postgres and Redis answer before the demo starts: probe the configured addresses, and where a
 * loopback one is silent run scripts/ensure-services.sh (start installed servers, else install them
 * with apt-get). A remote server is never touched; the error says what to run instead.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ENSURE_SERVICES_SCRIPT = fileURLToPath(
  new URL('../../scripts/ensure-services.sh', import.meta.url),
);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export class ServicesUnavailableError extends Error {
  override readonly name = 'ServicesUnavailableError';
  readonly code = 'SERVICES_UNAVAILABLE';
}

interface Endpoint {
  what: 'Postgres' | 'Redis';
  host: string;
  port: number;
}

function endpointOf(what: Endpoint['what'], url: string, defaultPort: number): Endpoint {
  const u = new URL(url);
  return { what, host: u.hostname || '127.0.0.1', port: u.port === '' ? defaultPort : Number(u.port) };
}

/**
 * Connects to host:port and lets `judge` decide from the open socket; false on error or after `timeoutMs`.
 * The socket is always destroyed once decided.
 */
function probe(
  host: string,
  port: number,
  timeoutMs: number,
  judge: (socket: Socket, done: (ok: boolean) => void) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => judge(socket, done));
    socket.once('error', () => done(false));
  });
}

/** Whether something accepts TCP connections at host:port within `timeoutMs`. */
export function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return probe(host, port, timeoutMs, (_socket, done) => done(true));
}

/**
 * Whether a Redis answers at host:port (PING → +PONG, or an error such as NOAUTH). Something else on
 * the port (an HTTP proxy, another service) would make the queue client retry forever.
 */
export function isRedisAt(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return probe(host, port, timeoutMs, (socket, done) => {
    socket.once('data', (d: Buffer) => done(d[0] === 0x2b || d[0] === 0x2d)); // '+' or '-': RESP
    socket.write('PING\r\n');
  });
}

function runScript(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    // The script reports on stderr; its stdout goes there too so the demo's stdout stays the summary.
    const child = spawn('bash', [ENSURE_SERVICES_SCRIPT], { stdio: ['ignore', 2, 2], env });
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

function whatToRun(silent: Endpoint[]): string {
  const list = silent.map((e) => `${e.what} on ${e.host}:${e.port}`).join(' and ');
  return (
    `${list} did not answer and could not be started here. Either run \`docker compose up -d postgres redis\` ` +
    '(then `DATABASE_URL=postgres://lrs:lrs@127.0.0.1:5432/lrs_relay npm run demo`), or install PostgreSQL and Redis ' +
    '(`sudo apt-get install postgresql redis-server`) and run the demo again. DATABASE_URL and REDIS_URL choose other servers.'
  );
}

/**
 * Resolves once both servers answer; throws ServicesUnavailableError saying exactly what to run otherwise.
 * `note` receives one line per action (for stderr).
 */
export async function ensureServices(o: {
  databaseUrl: string;
  /** The Redis server to ensure; none when the queues use something else (a Redis Cluster). */
  redisUrl: string | undefined;
  note: (line: string) => void;
}): Promise<void> {
  const endpoints = [
    endpointOf('Postgres', o.databaseUrl, 5432),
    ...(o.redisUrl === undefined ? [] : [endpointOf('Redis', o.redisUrl, 6379)]),
  ];
  const silent = async () =>
    (
      await Promise.all(endpoints.map(async (e) => ((await isPortOpen(e.host, e.port)) ? undefined : e)))
    ).filter((e): e is Endpoint => e !== undefined);
  const first = await silent();
  if (first.length === 0) return o.redisUrl === undefined ? undefined : checkRedisProtocol(o.redisUrl);
  if (first.some((e) => !LOOPBACK.has(e.host))) throw new ServicesUnavailableError(whatToRun(first));
  o.note(
    `${first.map((e) => e.what).join(' and ')} not answering: running scripts/ensure-services.sh (may use sudo apt-get)`,
  );
  const pg = endpoints[0];
  const redis = endpoints[1];
  const code = await runScript({
    ...process.env,
    PG_PORT: String(pg?.port ?? 5432),
    REDIS_PORT: String(redis?.port ?? 6379),
  });
  const still = await silent();
  if (code !== 0 || still.length > 0)
    throw new ServicesUnavailableError(whatToRun(still.length > 0 ? still : first));
  if (o.redisUrl !== undefined) await checkRedisProtocol(o.redisUrl);
}

/** Throws when what answers at REDIS_URL does not speak Redis (TLS URLs are left to the client). */
export async function checkRedisProtocol(redisUrl: string): Promise<void> {
  if (!redisUrl.startsWith('redis:')) return;
  const e = endpointOf('Redis', redisUrl, 6379);
  if (!(await isRedisAt(e.host, e.port))) {
    throw new ServicesUnavailableError(
      `something answers on ${e.host}:${e.port} but it is not Redis: check REDIS_URL, or run \`docker compose up -d redis\``,
    );
  }
}
