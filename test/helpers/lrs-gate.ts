/**
 * A gate between the relay and the LRS (the simulator): it forwards every call, counts calls and
 * answers by the SOAP body's first element (`RegisterLearner`, `FindLearnerByDemographics`, …; a GET
 * is `GET`), and can hold a call until the test releases it or answer a call itself. What the LRS saw
 * is counted here, outside the relay, so a test asserts on the LRS's side of the wire.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer the gate gives instead of forwarding. */
export interface GateAnswer {
  status: number;
  headers?: Record<string, string>;
  /** The body, written in chunks as it is read: it may be larger than anyone should hold. */
  body: Iterable<string | Buffer>;
}

export interface HeldCall {
  /** Resolves when the held call has arrived. */
  arrived: Promise<void>;
  /** Forwards the held call (once it has arrived). */
  release(): void;
}

export interface LrsGate {
  url: string;
  /** Where calls are forwarded (the simulator's base URL). */
  setTarget(url: string): void;
  /** Calls that arrived, by element. */
  arrived(element: string): number;
  /** Every call that arrived: its element and the identity it carried (UserName, UKPRN or OrganisationRef). */
  calls(): { element: string; userName: string | undefined; organisation: string | undefined }[];
  /** Calls answered (forwarded and answered, or answered by the gate), by element. */
  answered(element: string): number;
  /** Holds the next call whose element is `element` until released. */
  holdNext(element: string): HeldCall;
  /**
   * Forwards the next call whose element is `element`, lets the LRS act on it, and then drops the
   * connection instead of passing the answer on: a call sent and answered but whose answer was lost.
   */
  loseAnswerOfNext(element: string): void;
  /** Answers calls itself while `fn` returns an answer (undefined: forward). Replaces any earlier one. */
  answerWith(fn: ((element: string, path: string) => GateAnswer | undefined) | undefined): void;
  close(): Promise<void>;
}

const FIRST_BODY_ELEMENT = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)/;
const USER_NAME = /<(?:[\w.-]+:)?UserName>([^<]*)</;
const ORGANISATION = /<(?:[\w.-]+:)?(?:UKPRN|Ukprn|OrganisationRef|OrgRef)>([^<]+)</;

export async function startLrsGate(): Promise<LrsGate> {
  let target: URL | undefined;
  let answerFn: ((element: string, path: string) => GateAnswer | undefined) | undefined;
  const arrived = new Map<string, number>();
  const answered = new Map<string, number>();
  const holds: { element: string; arrived: () => void; released: Promise<void> }[] = [];
  const losses: string[] = [];
  const seen: { element: string; userName: string | undefined; organisation: string | undefined }[] = [];
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const element =
      req.method === 'GET' ? 'GET' : (FIRST_BODY_ELEMENT.exec(body.toString('utf8'))?.[1] ?? '?');
    bump(arrived, element);
    const text = body.toString('utf8');
    seen.push({ element, userName: USER_NAME.exec(text)?.[1], organisation: ORGANISATION.exec(text)?.[1] });
    const held = holds.findIndex((h) => h.element === element);
    if (held !== -1) {
      const h = holds.splice(held, 1)[0]!;
      h.arrived();
      await h.released;
    }
    const own = answerFn?.(element, req.url ?? '/');
    if (own) {
      res.writeHead(own.status, own.headers ?? { 'content-type': 'text/xml; charset=utf-8' });
      for (const part of own.body) {
        if (res.destroyed) break;
        if (!res.write(part)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
      }
      res.end();
      bump(answered, element);
      return;
    }
    if (!target) {
      res.writeHead(502).end('the gate has no target yet\n');
      return;
    }
    const lose = losses.indexOf(element);
    const lost = lose !== -1;
    if (lost) losses.splice(lose, 1);
    const headers = { ...req.headers, host: target.host };
    await new Promise<void>((resolve) => {
      const up = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers }, (answer) => {
        if (lost) {
          answer.resume();
          answer.on('end', () => {
            bump(answered, element);
            res.destroy();
            resolve();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          bump(answered, element);
          resolve();
        });
      });
      up.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(e));
        resolve();
      });
      up.end(body);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(url) {
      target = new URL(url);
    },
    arrived: (e) => arrived.get(e) ?? 0,
    calls: () => [...seen],
    answered: (e) => answered.get(e) ?? 0,
    holdNext(element) {
      let release!: () => void;
      let onArrived!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const arrivedP = new Promise<void>((r) => (onArrived = r));
      holds.push({ element, arrived: onArrived, released });
      return { arrived: arrivedP, release };
    },
    loseAnswerOfNext(element) {
      losses.push(element);
    },
    answerWith(fn) {
      answerFn = fn;
    },
    async close() {
      for (const h of holds.splice(0)) h.arrived();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
