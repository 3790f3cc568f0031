/**
 * The simulator process: a plain node http server (stricter and faster than soap.listen, SOAP-NOTES.md)
 * serving the three LRS services, their WSDLs and the admin endpoint, with fault injection in front.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { handleAdmin, type SimulatorAdmin, type SimulatorStats } from './admin.ts';
import type { SimContext, SimResponse } from './context.ts';
import { handleExternal, externalOperation } from './external-service.ts';
import {
  domainFault,
  internalErrorFault,
  maintenanceFault,
  maintenancePage,
  miapFault,
  quoteRequest,
} from './faults.ts';
import { handleLearnerService, learnerServiceSpec } from './learner-service.ts';
import {
  applyFaultPatch,
  faultSettingsSchema,
  resolveOptions,
  type FaultSettings,
  type ResolvedOptions,
  type SimulatorOptions,
} from './options.ts';
import { createRandom, type Random } from './prng.ts';
import { handleR9, r9Operation } from './r9-service.ts';
import type { SimLearner } from './learner-record.ts';
import type { OutcomeExamples } from './seed.ts';
import { buildSeed, createState } from './state.ts';
import { readSoapAction } from './wcf.ts';
import { createXmlReader, escapeXml, NS, type ParseOutcome, type XmlNode } from './xml.ts';
import { errorMessage } from '../errors.ts';

type ServiceKey = 'ls' | 'r9' | 'ext';

/** Service paths (compared case-insensitively, as IIS does) and their WSDL files. */
const SERVICES: Record<string, { key: ServiceKey; wsdl: string; name: string }> = {
  '/learnerservice.svc': { key: 'ls', wsdl: 'LearnerService.wsdl', name: 'LearnerService.svc' },
  '/learnerservicer9.svc': { key: 'r9', wsdl: 'LearnerServiceR9.wsdl', name: 'LearnerServiceR9.svc' },
  '/externalservice.svc': { key: 'ext', wsdl: 'ExternalService.wsdl', name: 'ExternalService.svc' },
};

/** A Host header that is a plain host name, IPv4 or bracketed IPv6 address, with an optional port. */
const HOST_AUTHORITY =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** The location of a WSDL port's address element (`<soap:address location="…"/>`). */
const SOAP_ADDRESS = /(<(?:[A-Za-z_][\w.-]*:)?address\b[^>]*?\blocation=")[^"]*(")/g;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

class BodyTooLarge extends Error {}

/** Largest admin request body, bytes: fault settings are a few hundred bytes. */
export const ADMIN_MAX_BODY_BYTES = 64 * 1024;

/** The host name of a Host or Origin authority, lower-cased, without the port (IPv6 keeps its brackets). */
function hostNameOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1);
  const i = a.indexOf(':');
  return i < 0 ? a : a.slice(0, i);
}

/**
 * Why an admin request must be refused, or null. A web page the operator happens to open can reach
 * the simulator on loopback: a foreign Origin is cross-site request forgery, and a Host that is not
 * the simulator's own name is DNS rebinding (evil.example resolving to 127.0.0.1). A state change
 * must be JSON, which a page can only send cross-origin after a CORS preflight the simulator never
 * grants.
 */
function refuseAdminCaller(req: IncomingMessage, hostNames: ReadonlySet<string>): string | null {
  const host = req.headers.host;
  if (host === undefined || !hostNames.has(hostNameOf(host)))
    return `The admin endpoint answers requests addressed to ${[...hostNames].join(', ')} only (Host header ${JSON.stringify(String(host ?? '').slice(0, 100))}).`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | null = null;
    try {
      const u = new URL(origin);
      if (u.protocol === 'http:' || u.protocol === 'https:') originHost = u.host;
    } catch {
      originHost = null;
    }
    if (originHost !== host.toLowerCase())
      return 'The admin endpoint refuses requests from web pages of other origins.';
  }
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json')
      return "Admin changes must be sent with Content-Type: application/json (curl -H 'content-type: application/json').";
  }
  return null;
}

/** A running (or not yet running) LRS simulator. */
export class Simulator {
  private readonly o: ResolvedOptions;
  private readonly server: Server;
  private readonly seed: SimLearner[];
  private readonly examples: OutcomeExamples;
  private readonly counters = { uln: { next: 0 }, jobs: { next: 100_001 } };
  private readonly readXml = createXmlReader();
  private readonly random: Random;
  /** Responses held open by timeout injection; ended when the simulator closes. */
  private readonly hanging = new Set<ServerResponse>();
  private faults: FaultSettings;
  private ctx: SimContext;
  private listening = false;
  readonly admin: SimulatorAdmin;

  constructor(options: SimulatorOptions = {}) {
    this.o = resolveOptions(options);
    this.faults = this.o.faults;
    this.random = createRandom(this.o.seed ^ 0x5eed);
    ({ learners: this.seed, examples: this.examples } = buildSeed(this.o));
    this.ctx = this.freshState();
    this.server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
      this.route(req, res).catch((e: unknown) =>
        this.send(res, {
          status: 500,
          body: `simulator error: ${errorMessage(e)}\n`,
          contentType: 'text/plain',
        }),
      );
    });
    this.admin = this.createAdmin();
  }

  private freshState(): SimContext {
    return createState(this.o, this.seed, this.counters, () => this.faults);
  }

  /** Base URL once listening, e.g. `http://127.0.0.1:8999`. */
  get url(): string {
    const a = this.server.address() as AddressInfo | null;
    if (!a) throw new Error('the simulator is not listening');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** The three service URLs, shaped like the client's `endpoints` option. */
  get endpoints(): { learnerService: string; learnerServiceR9: string; externalService: string } {
    return {
      learnerService: `${this.url}/LearnerService.svc`,
      learnerServiceR9: `${this.url}/LearnerServiceR9.svc`,
      externalService: `${this.url}/ExternalService.svc`,
    };
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    return this;
  }

  /** Stops listening and closes every connection, including ones held open by timeout injection. */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await closed;
  }

  private createAdmin(): SimulatorAdmin {
    return {
      setFaults: (patch) => {
        this.faults = applyFaultPatch(this.faults, patch);
        return this.faults;
      },
      faults: () => this.faults,
      stats: () => this.stats(),
      reset: () => {
        this.ctx = this.freshState();
        this.faults = faultSettingsSchema.parse({});
      },
      examples: () => this.examples,
      submissions: (kind) => this.ctx.stats.submissionsOf(kind),
    };
  }

  private stats(): SimulatorStats {
    const { store, stats, batches } = this.ctx;
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    return {
      calls: Object.fromEntries(stats.calls),
      registrations: store.registrations,
      duplicateRegistrations: store.duplicateRegistrations,
      refusedRegistrations: store.refusedRegistrations,
      learners: store.size,
      batches: batches.counts(this.o.now()),
      misIdentifiers: stats.misIdentifierSummary(),
      faults: Object.fromEntries(stats.faults),
      injected: { ...stats.injected },
      process: {
        cpuUserMicros: cpu.user,
        cpuSystemMicros: cpu.system,
        heapUsedBytes: mem.heapUsed,
        rssBytes: mem.rss,
      },
    };
  }

  private send(res: ServerResponse, r: SimResponse): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(r.status, {
      'content-type': r.contentType ?? 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(r.body),
    });
    res.end(r.body);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q + 1);
    if (path.startsWith('/__admin/')) return this.routeAdmin(req, res, path, query);
    const service = SERVICES[path.toLowerCase()];
    if (!service)
      return this.send(res, {
        status: 404,
        body: `Not found. The simulator serves ${Object.values(SERVICES)
          .map((s) => `/${s.name}`)
          .join(', ')} and /__admin/*.\n`,
      });
    if ((this.faults.maintenance || this.faults.maintenanceFault) && this.faults.operations.length === 0)
      return this.maintenance(res);
    if (req.method === 'GET' || req.method === 'HEAD') return this.get(req, res, service, query);
    if (req.method !== 'POST')
      return this.send(res, { status: 405, body: 'Only POST (SOAP) and GET ?singleWsdl are supported.\n' });
    let body: string;
    try {
      body = await this.readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        return this.send(res, {
          status: 413,
          body: `Request body larger than ${this.o.maxBodyBytes} bytes.\n`,
        });
      }
      throw e;
    }
    const parsed = this.readXml(body);
    if (!parsed.ok && parsed.reason === 'size') {
      return this.send(res, { status: 413, body: `Request refused: ${parsed.message}\n` });
    }
    const bodyRoot = soapBodyRoot(parsed);
    if (typeof bodyRoot === 'string')
      return this.send(res, { status: 400, body: `Bad Request: ${bodyRoot}\n` });
    const action = readSoapAction(req.headers.soapaction);
    const operation =
      service.key === 'ls'
        ? learnerServiceSpec(bodyRoot)?.operation
        : service.key === 'r9'
          ? r9Operation(action)
          : externalOperation(action);
    if (await this.inject(res, operation, service.key, bodyRoot)) return;
    const ctx = this.ctx;
    const out =
      service.key === 'ls'
        ? handleLearnerService(ctx, bodyRoot)
        : service.key === 'r9'
          ? handleR9(ctx, action, bodyRoot)
          : handleExternal(ctx, action, bodyRoot);
    this.send(res, out);
  }

  /** Applies fault settings to one call; true when the call was answered (or swallowed) here. */
  private async inject(
    res: ServerResponse,
    operation: string | undefined,
    service: ServiceKey,
    body: XmlNode,
  ): Promise<boolean> {
    const f = this.faults;
    if (f.operations.length > 0 && (operation === undefined || !f.operations.includes(operation)))
      return false;
    const { injected } = this.ctx.stats;
    if (f.maintenance || f.maintenanceFault) {
      this.maintenance(res);
      return true;
    }
    if (f.latencyMs > 0 || f.jitterMs > 0) {
      const delay = Math.max(0, f.latencyMs + (this.random() * 2 - 1) * f.jitterMs);
      injected.latency++;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    if (f.timeoutRate > 0 && this.random() < f.timeoutRate) {
      injected.timeouts++;
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
      return true;
    }
    if (f.errorRate > 0 && this.random() < f.errorRate) {
      injected.errors++;
      this.send(res, { status: 500, body: internalErrorFault(), contentType: 'text/xml; charset=utf-8' });
      return true;
    }
    if (f.faultDetails !== '') {
      injected.faultDetails++;
      this.ctx.stats.countFault('WSEC0001');
      const details = quoteRequest(f.faultDetails, body);
      const fault =
        service === 'ls' ? miapFault('WSEC0001', details, this.o.now()) : domainFault('WSEC0001', details);
      this.send(res, { status: 500, body: fault, contentType: 'text/xml; charset=utf-8' });
      return true;
    }
    if (f.outOfHours) injected.outOfHours++;
    return false;
  }

  /** The maintenance answer: the HTML page, or the SOAP fault when only `maintenanceFault` is set. */
  private maintenance(res: ServerResponse): void {
    this.ctx.stats.injected.maintenance++;
    if (!this.faults.maintenance)
      return this.send(res, {
        status: 405,
        body: maintenanceFault(this.o.now()),
        contentType: 'text/xml; charset=utf-8',
      });
    this.send(res, {
      status: 405,
      body: maintenancePage(randomUUID(), this.o.now()),
      contentType: 'text/html',
    });
  }

  /**
   * The simulator's own base URL as the client named it: the Host header when it is a plain host[:port]
   * (so an address behind a port mapping comes back as the client used it), else the listening address.
   */
  private baseUrlFor(req: IncomingMessage): string {
    const host = req.headers.host ?? '';
    return HOST_AUTHORITY.test(host) ? `http://${host}` : this.url;
  }

  private async get(
    req: IncomingMessage,
    res: ServerResponse,
    service: { wsdl: string; name: string },
    query: string,
  ): Promise<void> {
    if (!/^singlewsdl$|^wsdl$/i.test(query)) {
      return this.send(res, {
        status: 200,
        body: `${service.name} (LRS simulator). POST SOAP 1.1 requests here; GET ?singleWsdl for the WSDL.\n`,
      });
    }
    try {
      const wsdl = await readFile(join(this.o.wsdlDir, service.wsdl), 'utf8');
      // As a real .svc does: one document, schemas inline, the service's address where it was asked.
      const address = escapeXml(`${this.baseUrlFor(req)}/${service.name}`);
      const body = wsdl.replace(SOAP_ADDRESS, (_, head: string, tail: string) => `${head}${address}${tail}`);
      this.send(res, { status: 200, body, contentType: 'text/xml; charset=utf-8' });
    } catch {
      this.send(res, {
        status: 404,
        body: `WSDL not available: ${service.wsdl} is not in ${this.o.wsdlDir}.\n`,
      });
    }
  }

  private async routeAdmin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: string,
  ): Promise<void> {
    if (this.o.adminLoopbackOnly && !LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      return this.send(res, { status: 403, body: 'The admin endpoint answers loopback callers only.\n' });
    }
    const refusal = refuseAdminCaller(req, this.adminHostNames());
    if (refusal) {
      req.resume();
      return this.send(res, { status: 403, body: `${refusal}\n` });
    }
    let body = '';
    if (req.method === 'POST') {
      try {
        body = await this.readBody(req, ADMIN_MAX_BODY_BYTES);
      } catch (e) {
        if (!(e instanceof BodyTooLarge)) throw e;
        res.setHeader('connection', 'close');
        return this.send(res, {
          status: 413,
          body: `Admin request body larger than ${ADMIN_MAX_BODY_BYTES} bytes: send only the settings to change, e.g. {"errorRate": 0.1}.\n`,
        });
      }
    }
    this.send(res, handleAdmin(this.admin, req.method ?? 'GET', path, new URLSearchParams(query), body));
  }

  /** Host names a browser may use to reach the admin endpoint: loopback names and the listen host. */
  private adminHostNames(): Set<string> {
    const names = new Set(['localhost', '127.0.0.1', '[::1]']);
    const listen = this.o.host.toLowerCase();
    if (listen !== '0.0.0.0' && listen !== '::' && listen !== '')
      names.add(listen.includes(':') && !listen.startsWith('[') ? `[${listen}]` : listen);
    return names;
  }

  private readBody(req: IncomingMessage, maxBytes = this.o.maxBodyBytes): Promise<string> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      req.resume();
      return Promise.reject(new BodyTooLarge());
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.removeAllListeners('data');
          req.resume();
          reject(new BodyTooLarge());
          return;
        }
        chunks.push(c);
      });
      req.on('end', () =>
        resolve(
          chunks.length === 1 && chunks[0]
            ? chunks[0].toString('utf8')
            : Buffer.concat(chunks).toString('utf8'),
        ),
      );
      req.on('error', reject);
    });
  }
}

/** The first element inside soap:Body, or a reason the request is not a SOAP 1.1 envelope. */
function soapBodyRoot(parsed: ParseOutcome): XmlNode | string {
  if (!parsed.ok) return parsed.message;
  const env = parsed.root;
  const body =
    env.ns === NS.soapenv && env.name === 'Envelope'
      ? env.children.find((c) => c.ns === NS.soapenv && c.name === 'Body')
      : undefined;
  return body?.children[0] ?? 'expected a SOAP 1.1 Envelope with an element inside Body';
}

/** Creates a simulator; call `listen()` to start it and `close()` to stop it. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  return new Simulator(options);
}
