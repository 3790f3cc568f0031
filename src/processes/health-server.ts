/**
 * HEALTH_PORT: what a process without the dashboard role serves, so a worker-, producer- or
 * scheduler-only process can be probed and scraped too: /healthz (the process runs), /readyz (Postgres,
 * the queue store, every required role running somewhere) and /metrics (this process's own counters,
 * e.g. a worker's LRS calls, behind the same METRICS_TOKEN as the dashboard's). Nothing else.
 */
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import type { SupportDb } from '../db/pool.ts';
import { refuseMetrics, type Metrics } from '../metrics.ts';
import type { QueueConnection } from '../queues/connection.ts';
import { checkReadiness } from './health.ts';
import type { RoleReport } from './heartbeat.ts';

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

export async function startHealthServer(o: {
  config: Pick<Config, 'HEALTH_HOST' | 'METRICS_TOKEN' | 'METRICS_PUBLIC'>;
  port: number;
  db: SupportDb;
  queueConnection: QueueConnection;
  metrics: Metrics;
  roles: () => Promise<RoleReport>;
}): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only');
    const answer = async () => {
      if (path === '/healthz') return send(res, 200, 'application/json', JSON.stringify({ ok: true }));
      if (path === '/readyz') {
        const report = await checkReadiness({ db: o.db, queueConnection: o.queueConnection, roles: o.roles });
        return send(res, report.ok ? 200 : 503, 'application/json', JSON.stringify(report));
      }
      if (path === '/metrics') {
        const refused = refuseMetrics(req.headers.authorization, o.config);
        if (refused !== null)
          return send(res, 401, 'text/plain', refused, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
        return send(res, 200, o.metrics.registry.contentType, await o.metrics.registry.metrics());
      }
      send(res, 404, 'text/plain', 'not found: this port serves /healthz, /readyz and /metrics');
    };
    answer().catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'something went wrong');
      else res.end();
    });
  });
  server.listen(o.port, o.config.HEALTH_HOST);
  await once(server, 'listening');
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
