/**
 * Login, sessions and CSRF for the dashboard. The session cookie is HttpOnly and SameSite=Strict; every
 * form post carries the session's CSRF token. The login form, having no session yet, carries a token
 * the server issued and signed (issueLoginCsrf), in both the form and a cookie: a value an attacker
 * chose is refused, and the cookie ties the form to the browser that loaded it. Unauthenticated
 * requests get 401 (or a redirect to /login for pages a browser opens).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, Response, Router } from 'express';
import express from 'express';
import { createStaffActor, type Actor } from './access.ts';
import type { SupportDb } from '../db/pool.ts';
import { renderLoginPage } from './pages/login.ts';
import type { LoginLimits } from './login-throttle.ts';
import {
  endSession,
  failedLoginDelayMs,
  findSession,
  isSameSecret,
  logIn,
  type StaffSession,
} from './sessions.ts';

export const SESSION_COOKIE = 'lrs_session';
const LOGIN_CSRF_COOKIE = 'lrs_login_csrf';
/** How long a login form's token is accepted, seconds (the cookie's lifetime too). */
const LOGIN_CSRF_TTL_S = 3600;

function signLoginCsrf(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`lrs-relay login form ${body}`).digest('base64url');
}

/**
 * A login form token: `<issued at, base-36 seconds>.<random>.<HMAC-SHA256 of both under key>`. Only the
 * server, holding the key, can make one, so an attacker cannot post the form without loading it.
 */
export function issueLoginCsrf(key: Buffer, nowMs = Date.now()): string {
  const body = `${Math.floor(nowMs / 1000).toString(36)}.${randomBytes(18).toString('base64url')}`;
  return `${body}.${signLoginCsrf(key, body)}`;
}

/** True when `token` is one issueLoginCsrf made under `key` less than LOGIN_CSRF_TTL_S ago. */
export function isIssuedLoginCsrf(key: Buffer, token: string | undefined, nowMs = Date.now()): boolean {
  if (!token || token.length > 200) return false;
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [issued = '', random = '', mac = ''] = parts;
  if (!/^[0-9a-z]{1,12}$/.test(issued)) return false;
  if (!isSameSecret(mac, signLoginCsrf(key, `${issued}.${random}`))) return false;
  const ageS = nowMs / 1000 - parseInt(issued, 36);
  return ageS >= -60 && ageS <= LOGIN_CSRF_TTL_S;
}

/**
 * The key login form tokens are signed with. Derived from SECRETS_KEY when it is set, so every
 * dashboard process of an installation accepts the forms the others served; otherwise random per
 * process (a form served by one process is then refused by another: set SECRETS_KEY behind a load
 * balancer without sticky sessions).
 */
export function createLoginCsrfKey(secretsKey: string | undefined): Buffer {
  if (secretsKey === undefined) return randomBytes(32);
  return createHmac('sha256', Buffer.from(secretsKey, 'hex'))
    .update('lrs-relay dashboard login form')
    .digest();
}

/** What authenticated handlers find in res.locals. */
export interface AuthLocals {
  session: StaffSession;
  actor: Actor;
}

export function getAuth(res: Response): AuthLocals {
  const auth = res.locals.auth as AuthLocals | undefined;
  if (!auth) throw new Error('route mounted without requireStaff');
  return auth;
}

/** Parses a Cookie header (RFC 6265 pairs); later duplicates do not override earlier ones. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

function cookie(name: string, value: string, o: { maxAgeS: number; secure: boolean }): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${o.maxAgeS}${o.secure ? '; Secure' : ''}`;
}

function bodyField(req: Request, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  const v = body?.[name];
  return typeof v === 'string' ? v : '';
}

/** Loads the session (when the cookie names a live one) into res.locals.auth; never refuses. */
export function loadSession(db: SupportDb) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const session = await findSession(db, token);
    if (session) {
      const actor = createStaffActor({
        username: session.username,
        isAdmin: session.isAdmin,
        memberOf: session.memberOf,
      });
      res.locals.auth = { session, actor } satisfies AuthLocals;
    }
    next();
  };
}

function wantsHtml(req: Request): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

/** Refuses requests without a session: 303 to /login for browser page loads, 401 otherwise. */
export function requireStaff(req: Request, res: Response, next: NextFunction): void {
  if (res.locals.auth) return next();
  if (wantsHtml(req)) {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  res.status(401).type('text/plain').send('login required');
}

/** Refuses state-changing requests whose `_csrf` field (or x-csrf-token header) is not the session's token. */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const auth = res.locals.auth as AuthLocals | undefined;
  const sent = bodyField(req, '_csrf') || String(req.headers['x-csrf-token'] ?? '');
  if (!auth || !isSameSecret(sent, auth.session.csrfToken)) {
    res.status(403).type('text/plain').send('invalid or missing CSRF token: reload the page and try again');
    return;
  }
  next();
}

/**
 * The client's address for login throttling: the socket's, or with `trustProxy` the last
 * X-Forwarded-For entry, which the one trusted proxy appended (entries before it are whatever the
 * client sent, so they are never used).
 */
export function clientAddress(req: Request, trustProxy: boolean): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return socket;
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').at(-1)?.trim();
  return last !== undefined && last.length <= 64 && isIP(last) !== 0 ? last : socket;
}

/** Only same-site relative paths, so ?next= cannot send a person to another site. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

export interface LoginRoutesOptions {
  db: SupportDb;
  /** First failed-login delay, ms (doubles per failure up to 5 s; default 250). */
  loginDelayBaseMs: number;
  sessionTtlMs: number;
  /** Take the client address from X-Forwarded-For (config TRUST_PROXY). */
  trustProxy: boolean;
  /** Login throttling limits (default DEFAULT_LOGIN_LIMITS). */
  loginLimits?: LoginLimits | undefined;
  /** The key login form tokens are signed with (createLoginCsrfKey). */
  loginCsrfKey: Buffer;
}

/** GET/POST /login and POST /logout. */
export function createLoginRoutes(o: LoginRoutesOptions): Router {
  const router = express.Router();
  const secure = (req: Request) => req.secure;

  router.get('/login', (req, res) => {
    const csrf = issueLoginCsrf(o.loginCsrfKey);
    res.setHeader(
      'Set-Cookie',
      cookie(LOGIN_CSRF_COOKIE, csrf, { maxAgeS: LOGIN_CSRF_TTL_S, secure: secure(req) }),
    );
    res.type('html').send(renderLoginPage({ csrf, next: safeNext(req.query.next), error: null }).value);
  });

  router.post('/login', async (req, res) => {
    const formCsrf = bodyField(req, '_csrf');
    const next = safeNext(bodyField(req, 'next'));
    const fresh = issueLoginCsrf(o.loginCsrfKey);
    const again = (status: number, error: string) => {
      res.setHeader(
        'Set-Cookie',
        cookie(LOGIN_CSRF_COOKIE, fresh, { maxAgeS: LOGIN_CSRF_TTL_S, secure: secure(req) }),
      );
      res
        .status(status)
        .type('html')
        .send(renderLoginPage({ csrf: fresh, next, error }).value);
    };
    // The form's token must be one this server issued, and the one this browser was given with it.
    if (
      !isIssuedLoginCsrf(o.loginCsrfKey, formCsrf) ||
      !isSameSecret(formCsrf, parseCookies(req.headers.cookie)[LOGIN_CSRF_COOKIE])
    ) {
      res
        .status(403)
        .type('text/plain')
        .send('invalid or missing CSRF token: reload the login page and try again');
      return;
    }
    const username = bodyField(req, 'username').trim().slice(0, 64);
    const password = bodyField(req, 'password').slice(0, 1024);
    const result = await logIn(o.db, username, password, {
      ttlMs: o.sessionTtlMs,
      address: clientAddress(req, o.trustProxy),
      ...(o.loginLimits ? { limits: o.loginLimits } : {}),
    });
    if (!result.ok) {
      // The same answers whether or not the account exists: they depend only on what was typed and
      // where from, never on what the database holds.
      if (result.reason === 'throttled') {
        res.setHeader('Retry-After', String(result.retryAfterS));
        return again(
          429,
          `Too many login attempts: try again in ${Math.ceil(result.retryAfterS / 60)} minute(s).`,
        );
      }
      // Slow each failure down, more with each attempt from this address at this username.
      await sleep(failedLoginDelayMs(result.attempts, o.loginDelayBaseMs));
      return again(401, 'Wrong username or password.');
    }
    res.setHeader('Set-Cookie', [
      cookie(SESSION_COOKIE, result.token, {
        maxAgeS: Math.floor(o.sessionTtlMs / 1000),
        secure: secure(req),
      }),
      cookie(LOGIN_CSRF_COOKIE, '', { maxAgeS: 0, secure: secure(req) }),
    ]);
    res.redirect(303, next);
  });

  router.post('/logout', requireStaff, requireCsrf, async (req, res) => {
    await endSession(o.db, parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    res.setHeader('Set-Cookie', cookie(SESSION_COOKIE, '', { maxAgeS: 0, secure: secure(req) }));
    res.redirect(303, '/login');
  });

  return router;
}
