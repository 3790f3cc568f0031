/**
 * HTTPS transport for LRS calls: undici Agent with TLS ≥ 1.2, the organisation's client certificate,
 * keep-alive, a per-call timeout and the caller's AbortSignal. Every failure becomes an LrsError with
 * one of our codes; a timeout is marked ambiguous because the LRS may have acted on the request.
 */
import { Agent, buildConnector, request } from 'undici';
import { RELAY_CODES } from '../codes/client-codes.ts';
import { MAX_RESPONSE_BYTES, relayError, type HttpAnswer } from './response.ts';
import type { LrsTlsCredentials } from './types.ts';

export interface TransportOptions {
  /** Default per-call timeout, ms (default 20000). */
  timeoutMs?: number | undefined;
  /** TCP+TLS connect timeout, ms (default 5000). */
  connectTimeoutMs?: number | undefined;
  /** Plain http:// is refused unless true (the simulator). */
  allowInsecureHttp?: boolean | undefined;
  tls?: LrsTlsCredentials | undefined;
  /** CA certificate(s), PEM, trusted for the server certificate instead of Node's bundled roots (default: the bundled roots). */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Largest response body accepted, bytes (default MAX_RESPONSE_BYTES, 8 MiB: see response.ts for why). */
  maxResponseBytes?: number | undefined;
}

export interface PostOptions {
  operation: string;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

export interface GetOptions {
  operation: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Largest body accepted for this request, bytes (default the transport's maxResponseBytes). */
  maxBytes?: number | undefined;
}

export interface Transport {
  post(url: string, o: PostOptions): Promise<HttpAnswer>;
  /** A GET (the services' `?singleWsdl`), with the same TLS, timeout and size rules as a call. */
  get(url: string, o: GetOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Errors after the request may have been written: the LRS may have acted on it. */
const AMBIGUOUS_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function errorCodes(e: unknown): string[] {
  const codes: string[] = [];
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') codes.push(c);
    cur = (cur as { cause?: unknown }).cause;
  }
  return codes;
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_CRYPTO)/;

function isTlsFailure(codes: string[], e: unknown): boolean {
  if (codes.some((c) => TLS_CODE.test(c))) return true;
  return e instanceof Error && /\b(SSL|TLS)\b|certificate|mac verify failure|PKCS12/i.test(e.message);
}

const socketKey = (s: { localAddress?: string | undefined; localPort?: number | undefined }) =>
  `${s.localAddress ?? ''}|${s.localPort ?? ''}`;

/**
 * A connector that remembers TLS alerts per connection. Under TLS 1.3 the server checks the client
 * certificate after the client has finished its side of the handshake and sent the request; the refusal
 * ("certificate required", "unknown CA") reaches the socket as an error, but undici then reports only
 * "other side closed". Without this, a missing or rejected organisation certificate would read as a
 * retryable, ambiguous CONNECTION_FAILED instead of TLS_FAILED. Entries are keyed by local address:port
 * (undici's SocketError carries them) and dropped after a few seconds.
 */
function createAlertRecordingConnector(
  options: buildConnector.BuildOptions,
  alerts: Map<string, string>,
): buildConnector.connector {
  const connect = buildConnector(options);
  return (opts, callback) =>
    connect(opts, (...args) => {
      const socket = args[1];
      if (socket) {
        const key = socketKey(socket);
        socket.on('error', (e: unknown) => {
          const code = (e as { code?: unknown }).code;
          if (typeof code !== 'string' || !TLS_CODE.test(code)) return;
          alerts.set(key, code);
          setTimeout(() => alerts.delete(key), 10_000).unref();
        });
      }
      callback(...args);
    });
}

/** The TLS alert recorded for the connection an undici SocketError came from, if any. */
function recordedAlert(e: unknown, alerts: Map<string, string>): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const info = (cur as { socket?: { localAddress?: string; localPort?: number } }).socket;
    if (info && typeof info === 'object' && typeof info.localPort === 'number')
      return alerts.get(socketKey(info));
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

interface EndpointProblem {
  message: string;
  cause?: unknown;
}

/** The endpoint as a URL, or why it is refused: http:// only when allowed (the simulator), never another scheme. */
function vetEndpoint(url: string, allowInsecureHttp: boolean): URL | EndpointProblem {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    return { message: 'LRS endpoint is not a valid URL', cause: e };
  }
  if (parsed.protocol === 'http:' && !allowInsecureHttp) {
    return { message: 'plain http:// LRS endpoint refused (set allowInsecureHttp only for the simulator)' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return { message: 'LRS endpoint must be https://' };
  return parsed;
}

/** Creates the transport. Throws CONFIGURATION when the certificate cannot be loaded. */
export function createTransport(o: TransportOptions = {}): Transport {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const maxBytes = o.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const tlsAlerts = new Map<string, string>();
  let agent: Agent;
  try {
    agent = new Agent({
      keepAliveTimeout: 30_000,
      connect: createAlertRecordingConnector(
        {
          timeout: o.connectTimeoutMs ?? 5_000,
          minVersion: 'TLSv1.2',
          ...(o.tls ?? {}),
          ...(o.ca === undefined ? {} : { ca: o.ca }),
        },
        tlsAlerts,
      ),
    });
  } catch (e) {
    throw relayError(RELAY_CODES.CONFIGURATION, 'could not set up the LRS client certificate', { cause: e });
  }

  // Endpoints are a handful of fixed strings: parse and vet each once, not on every call.
  const endpoints = new Map<string, URL | EndpointProblem>();
  function endpoint(url: string, base: { operation: string }): URL {
    let e = endpoints.get(url);
    if (e === undefined) {
      e = vetEndpoint(url, o.allowInsecureHttp === true);
      if (endpoints.size < 100) endpoints.set(url, e);
    }
    if (e instanceof URL) return e;
    throw relayError(RELAY_CODES.CONFIGURATION, e.message, { ...base, cause: e.cause });
  }

  async function send(
    url: string,
    p: GetOptions & { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  ): Promise<HttpAnswer> {
    const base = { operation: p.operation };
    const bodyLimit = p.maxBytes ?? maxBytes;
    const parsed = endpoint(url, base);
    if (p.signal?.aborted) throw relayError(RELAY_CODES.ABORTED, 'call aborted before it was sent', base);

    // One controller for both the whole-call timeout and the caller's signal (cheaper than
    // AbortSignal.timeout + AbortSignal.any on every call).
    const callTimeout = p.timeoutMs ?? timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, callTimeout);
    const onAbort = () => controller.abort();
    p.signal?.addEventListener('abort', onAbort, { once: true });
    const signal = controller.signal;
    let sent = false;
    try {
      const res = await request(parsed, {
        method: p.method,
        headers: p.headers,
        body: p.body,
        dispatcher: agent,
        signal,
        headersTimeout: callTimeout,
        bodyTimeout: callTimeout,
      });
      sent = true;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > bodyLimit) {
          res.body.destroy();
          throw relayError(
            RELAY_CODES.MALFORMED_RESPONSE,
            `response larger than ${bodyLimit} bytes refused`,
            {
              ...base,
              httpStatus: res.statusCode,
            },
          );
        }
        chunks.push(b);
      }
      const ct = res.headers['content-type'];
      return {
        status: res.statusCode,
        contentType: Array.isArray(ct) ? ct[0] : ct,
        body: Buffer.concat(chunks).toString('utf8'),
      };
    } catch (e) {
      if (e instanceof Error && e.name === 'LrsError') throw e;
      if (p.signal?.aborted)
        throw relayError(RELAY_CODES.ABORTED, 'call aborted by the caller', {
          ...base,
          ambiguous: true,
          cause: e,
        });
      const codes = errorCodes(e);
      const alert = recordedAlert(e, tlsAlerts);
      if (alert) codes.unshift(alert);
      if (timedOut || codes.some((c) => c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT')) {
        throw relayError(RELAY_CODES.TIMEOUT, `no answer within ${callTimeout} ms`, {
          ...base,
          ambiguous: true,
          cause: e,
        });
      }
      if (isTlsFailure(codes, e))
        throw relayError(RELAY_CODES.TLS_FAILED, 'TLS handshake or certificate failure', {
          ...base,
          cause: e,
        });
      if (codes.some((c) => CONNECTION_CODES.has(c))) {
        throw relayError(
          RELAY_CODES.CONNECTION_FAILED,
          `could not connect to the LRS (${codes[0] ?? 'error'})`,
          { ...base, cause: e },
        );
      }
      const ambiguous = sent || codes.some((c) => AMBIGUOUS_CODES.has(c));
      throw relayError(
        RELAY_CODES.CONNECTION_FAILED,
        `connection to the LRS failed (${codes[0] ?? 'error'})`,
        { ...base, ambiguous, cause: e },
      );
    } finally {
      clearTimeout(timer);
      p.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    post: (url, p) => send(url, { ...p, method: 'POST', maxBytes: undefined }),
    get: (url, p) => send(url, { ...p, method: 'GET' }),
    close: () => agent.close(),
  };
}
