/**
 * A recording HTTP proxy on 127.0.0.1 for tests: every request is kept (path, SOAPAction, body) and
 * passed on unchanged to `target`, set once the upstream (usually the simulator) is known. Until then
 * requests get 503, which the client treats as a transport failure and retries.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  path: string;
  soapAction: string | undefined;
  body: string;
}

export interface CaptureProxy {
  url: string;
  target: string | undefined;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

export async function startCaptureProxy(): Promise<CaptureProxy> {
  const proxy: CaptureProxy = { url: '', target: undefined, requests: [], close: async () => undefined };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = req.headers.soapaction;
      proxy.requests.push({
        path: req.url ?? '/',
        soapAction: Array.isArray(action) ? action[0] : action,
        body: body.toString('utf8'),
      });
      if (!proxy.target) {
        res.writeHead(503).end();
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
      fetch(`${proxy.target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers,
        body: req.method === 'GET' ? undefined : body,
      })
        .then(async (r) => {
          const answer = Buffer.from(await r.arrayBuffer());
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
          res.end(answer);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
