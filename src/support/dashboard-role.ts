/**
 * `lrs-relay start --role dashboard` (and `--role all`): the dashboard on DASHBOARD_HOST:DASHBOARD_PORT.
 * The caller passes the process's db, redis, metrics and queues and keeps ownership of them.
 */
import { createDashboard, type DashboardDeps } from './dashboard.ts';

export async function startDashboard(
  deps: DashboardDeps & { port?: number; host?: string },
): Promise<{ close(): Promise<void>; url: string }> {
  const dashboard = createDashboard(deps);
  const listenOptions: { host?: string; port?: number } = {};
  if (deps.port !== undefined) listenOptions.port = deps.port;
  if (deps.host !== undefined) listenOptions.host = deps.host;
  const { url } = await dashboard.listen(listenOptions);
  deps.log.info({ url }, 'dashboard listening');
  return { url, close: () => dashboard.close() };
}
