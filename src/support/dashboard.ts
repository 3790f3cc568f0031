/**
 * The support dashboard: an express app with staff login, server-rendered pages (the queues page at
 * /queues, with bull-board at /queues/board when the queues live in Redis), /metrics (bearer METRICS_TOKEN, or open with METRICS_PUBLIC=true), /healthz and /readyz.
 * The caller owns db, the queue connection and queues; close() stops the HTTP server and closes only
 * what the dashboard created.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config, Role } from '../config.ts';
import { refuseMetrics, type Metrics } from '../metrics.ts';
import type { QueueConnection, QueueReader } from '../queues/connection.ts';
import type { SupportDb } from '../db/pool.ts';
import type { RoleReport } from '../processes/heartbeat.ts';
import { checkReadiness } from '../processes/health.ts';
import { createLoginCsrfKey, createLoginRoutes, loadSession, requireStaff } from './http-auth.ts';
import type { LoginLimits } from './login-throttle.ts';
import { createQueueBoardHandler } from './queue-board.ts';
import { BOARD_PATH } from './pages/queues.ts';
import { createQueueSet } from './queue-depths.ts';
import { createActionRoutes, createPageRoutes } from './routes.ts';
import type { OrganisationCheck } from './organisations.ts';
import type { OrganisationTester } from '../orgs/test-organisation.ts';
import { createScrapeMetrics } from './scrape-metrics.ts';
import { createOrganisationTestResults } from './org-test-results.ts';
import { SESSION_TTL_MS } from './sessions.ts';

export interface DashboardDeps {
  /** The process's database (src/db/pool.ts createDatabase); only its pool is used. */
  db: SupportDb;
  /** The queue store, for queue depths, bull-board and /readyz; without it those parts show nothing. */
  queueConnection?: QueueConnection | undefined;
  config: Pick<
    Config,
    | 'DASHBOARD_HOST'
    | 'DASHBOARD_PORT'
    | 'METRICS_TOKEN'
    | 'METRICS_PUBLIC'
    | 'QUEUE_PREFIX'
    | 'TRUST_PROXY'
    | 'SECRETS_KEY'
  >;
  log: Logger;
  metrics: Metrics;
  /**
   * The relay's heartbeats (a relay process passes them): /readyz, the overview's status line and
   * lrs_relay_role_processes say which roles run where and which are missing.
   */
  processes?: { required: readonly Role[]; report(): Promise<RoleReport> } | undefined;
  /** Queues to show; default: batch, scheduler and single-<id> for every organisation, on `queueConnection`. */
  queues?: readonly QueueReader[] | undefined;
  /** First failed-login delay in ms, doubling per failure up to 5 s (default 250). */
  loginDelayBaseMs?: number;
  /** Session lifetime, ms (default 8 hours). */
  sessionTtlMs?: number;
  /** Login throttling limits (default DEFAULT_LOGIN_LIMITS in login-throttle.ts). */
  loginLimits?: LoginLimits;
  /**
   * Loads an organisation's credentials as the workers do (the process's organisation directory), for
   * the organisations page; without it a broken organisation shows through its failed requests only.
   */
  checkOrganisation?: OrganisationCheck | undefined;
  /**
   * Tests an organisation as `lrs-relay orgs test` does (src/orgs/test-organisation.ts), for the
   * administrators' Test button on the organisations page; without it there is no button.
   */
  testOrganisation?: OrganisationTester | undefined;
  /** Days before a certificate's expiry that the organisations page warns (CERT_EXPIRY_WARNING_DAYS, default 30). */
  certificateWarningDays?: number | undefined;
}

export interface Dashboard {
  app: Express;
  /** Starts listening (default config DASHBOARD_HOST:DASHBOARD_PORT; port 0 = any free port). */
  listen(o?: { host?: string; port?: number }): Promise<{ url: string; port: number }>;
  /** Stops the server (open connections too) and closes queues the dashboard created. Safe to call twice. */
  close(): Promise<void>;
}

const COMMON_HEADERS: Record<string, string> = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Our pages are server-rendered: no script at all. */
const PAGE_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/**
 * bull-board is a React app served from /queues/board/static: its own scripts and styles from this origin
 * (inline style attributes too), its API on this origin, nothing from elsewhere (the Google font it
 * asks for is refused; the browser falls back to a local one).
 */
const QUEUE_BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

/**
 * Headers for every route. `hasBoard`: bull-board is mounted at /queues/board (Redis), which runs its
 * own scripts; everything else, /queues itself included, is one of our pages and gets their CSP.
 */
function createSecurityHeaders(hasBoard: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
    const isBoard = hasBoard && (req.path === BOARD_PATH || req.path.startsWith(`${BOARD_PATH}/`));
    res.setHeader('Content-Security-Policy', isBoard ? QUEUE_BOARD_CSP : PAGE_CSP);
    next();
  };
}

/** The host:port of an Origin header, or null when it is not a usable http(s) origin. */
function originHost(origin: string): string | null {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host : null;
  } catch {
    return null;
  }
}

/**
 * bull-board posts JSON without our CSRF token; SameSite=Strict already keeps the session cookie off
 * cross-site requests, and this refuses any state change that a browser marks as cross-site anyway
 * (a malformed or opaque Origin counts as cross-site).
 */
function refuseCrossSite(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const isCrossSite =
    (typeof site === 'string' && site !== 'same-origin' && site !== 'none') ||
    (origin !== undefined && originHost(origin) !== req.headers.host);
  if (isCrossSite) {
    res.status(403).type('text/plain').send('cross-site request refused');
    return;
  }
  next();
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const { db, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  // req.secure (the cookie's Secure flag) believes X-Forwarded-Proto from the configured proxy only.
  app.set('trust proxy', deps.config.TRUST_PROXY ? 1 : 'loopback');
  const queueBackend = deps.queueConnection?.backend;
  app.use(createSecurityHeaders((queueBackend ?? 'redis') === 'redis'));
  const queueSet = createQueueSet({
    db,
    queueConnection: deps.queueConnection,
    queues: deps.queues,
  });
  const processes = deps.processes;
  const testResults = createOrganisationTestResults();
  const scrape = createScrapeMetrics({ db, queueSet, queueBackend, metrics: deps.metrics, log, processes });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await checkReadiness({
      db,
      queueConnection: deps.queueConnection,
      roles: processes ? () => processes.report() : undefined,
    });
    res.status(report.ok ? 200 : 503).json(report);
  });
  app.get('/metrics', async (req, res) => {
    const refused = refuseMetrics(req.headers.authorization, deps.config);
    if (refused !== null) {
      res
        .status(401)
        .setHeader('WWW-Authenticate', 'Bearer realm="metrics"')
        .type('text/plain')
        .send(refused);
      return;
    }
    const out = await scrape.render();
    res.type(out.contentType).send(out.body);
  });

  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  app.use(loadSession(db));
  if ((queueBackend ?? 'redis') === 'redis')
    app.use(BOARD_PATH, requireStaff, refuseCrossSite, createQueueBoardHandler(queueSet));

  app.use(
    createLoginRoutes({
      db,
      loginDelayBaseMs: deps.loginDelayBaseMs ?? 250,
      sessionTtlMs: deps.sessionTtlMs ?? SESSION_TTL_MS,
      trustProxy: deps.config.TRUST_PROXY,
      loginLimits: deps.loginLimits,
      loginCsrfKey: createLoginCsrfKey(deps.config.SECRETS_KEY),
    }),
  );
  app.use(requireStaff);
  app.use(
    createPageRoutes({
      db,
      queueSet,
      queueBackend,
      checkOrganisation: deps.checkOrganisation,
      certificateWarningDays: deps.certificateWarningDays ?? 30,
      canTestOrganisations: deps.testOrganisation !== undefined,
      processes,
      testResults,
    }),
  );
  app.use(
    createActionRoutes({
      db,
      testOrganisation: deps.testOrganisation,
      testResults,
    }),
  );
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // Message and code only: a pg error's detail can quote row values (personal data).
    const e = err as { message?: string; code?: string; status?: number };
    const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
    if (status === 500)
      log.error({ err: { message: e.message, code: e.code }, path: req.path }, 'dashboard request failed');
    if (!res.headersSent)
      res
        .status(status)
        .type('text/plain')
        .send(status === 500 ? 'something went wrong; the error is logged' : 'bad request');
  });

  let server: Server | undefined;
  let closing: Promise<void> | undefined;
  return {
    app,
    async listen(o = {}) {
      if (server) throw new Error('dashboard is already listening');
      const s = app.listen(o.port ?? deps.config.DASHBOARD_PORT, o.host ?? deps.config.DASHBOARD_HOST);
      server = s;
      await once(s, 'listening');
      const addr = s.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      return { url: `http://${host}:${addr.port}`, port: addr.port };
    },
    close() {
      closing ??= (async () => {
        const s = server;
        if (s) {
          const closed = new Promise<void>((resolve, reject) =>
            s.close((err) => (err ? reject(err) : resolve())),
          );
          s.closeAllConnections();
          await closed;
        }
        await queueSet.close();
      })();
      return closing;
    },
  };
}
