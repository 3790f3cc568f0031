/**
 * A dashboard as the support tests start it: on a free loopback port, with a silent log, metrics
 * without the process defaults, and only the settings a test cares about given.
 */
import type { SupportDb } from '../../src/db/pool.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import type { QueueConnection } from '../../src/queues/connection.ts';
import { createDashboard, type Dashboard, type DashboardDeps } from '../../src/support/dashboard.ts';

export async function startTestDashboard(o: {
  db: SupportDb;
  queueConnection?: QueueConnection;
  /** Over the defaults: no metrics token, /metrics not public, QUEUE_PREFIX `test`, no proxy trusted. */
  config?: Partial<DashboardDeps['config']>;
  metrics?: Metrics;
  loginDelayBaseMs?: number;
  loginLimits?: DashboardDeps['loginLimits'];
  checkOrganisation?: DashboardDeps['checkOrganisation'];
  testOrganisation?: DashboardDeps['testOrganisation'];
  processes?: DashboardDeps['processes'];
}): Promise<{ dashboard: Dashboard; url: string }> {
  const dashboard = createDashboard({
    db: o.db,
    queueConnection: o.queueConnection,
    config: {
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_PORT: 0,
      METRICS_TOKEN: undefined,
      METRICS_PUBLIC: false,
      QUEUE_PREFIX: 'test',
      TRUST_PROXY: false,
      ...o.config,
    },
    log: createLogger({ level: 'silent' }),
    metrics: o.metrics ?? createMetrics({ defaultMetrics: false }),
    ...(o.loginDelayBaseMs === undefined ? {} : { loginDelayBaseMs: o.loginDelayBaseMs }),
    ...(o.loginLimits ? { loginLimits: o.loginLimits } : {}),
    ...(o.checkOrganisation ? { checkOrganisation: o.checkOrganisation } : {}),
    ...(o.testOrganisation ? { testOrganisation: o.testOrganisation } : {}),
    ...(o.processes ? { processes: o.processes } : {}),
  });
  const { url } = await dashboard.listen({ port: 0, host: '127.0.0.1' });
  return { dashboard, url };
}
