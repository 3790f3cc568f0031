/**
 * `lrs-relay start [--role all|producer|worker|scheduler|dashboard]…`: runs the relay until SIGTERM or
 * SIGINT, then shuts down in order within SHUTDOWN_TIMEOUT_MS; a second signal forces exit.
 */
import { parseArgs } from 'node:util';
import { loadConfig, retiredSettingsIn } from '../config.ts';
import { createLogger } from '../log.ts';
import { vendorIdRefusal } from '../lrs/endpoints.ts';
import { ROLES, startRelay, type Role } from '../runtime.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string', multiple: true, default: ['all'] },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      `Usage: lrs-relay start [--role all|${ROLES.join('|')}]... [--port N] [--host ADDRESS]\n\n` +
        'Roles can be repeated or comma-separated; "all" runs every role in one process.\n' +
        '--port and --host set where the dashboard listens (they override DASHBOARD_PORT and DASHBOARD_HOST).',
    );
    return 0;
  }
  const asked = (values.role ?? ['all']).flatMap((r) => r.split(',')).map((r) => r.trim());
  const unknown = asked.filter((r) => r !== 'all' && !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) {
    console.error(
      `lrs-relay start: unknown role(s) ${unknown.join(', ')}; choose from all, ${ROLES.join(', ')}`,
    );
    return 2;
  }
  const roles: Role[] = asked.includes('all') ? [...ROLES] : (asked as Role[]);
  // --port/--host go through the same checks as DASHBOARD_PORT/DASHBOARD_HOST (a bad value names both).
  const config = loadConfig({
    ...process.env,
    ...(values.port === undefined ? {} : { DASHBOARD_PORT: values.port }),
    ...(values.host === undefined ? {} : { DASHBOARD_HOST: values.host }),
  });
  const log = createLogger({ level: config.LOG_LEVEL });
  // The workers refuse R9 calls without a vendor id (VENDOR_ID_NOT_SET); say so before any request meets it.
  const vendorWarning = vendorIdRefusal(config.LRS_VENDOR_ID, config.lrsEndpoints.learnerServiceR9);
  if (vendorWarning) log.warn({ LRS_VENDOR_ID: 0 }, vendorWarning);
  for (const warning of retiredSettingsIn(process.env)) log.warn({}, warning);
  // The signal handlers come first, before any of the roles' start-up runs (its first part runs at once,
  // synchronously): a SIGTERM while the relay is still starting (a deploy that stops a process it just
  // started) waits for the start and then shuts down in order, instead of killing the process with jobs
  // already running.
  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      log.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down: finishing active jobs');
      const force = setTimeout(() => {
        log.error('shutdown took too long: exiting');
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS + 5_000);
      force.unref();
      starting
        .then((relay) => relay.close())
        .then(resolve, (e: unknown) => {
          log.error({ err: e }, 'error during shutdown');
          resolve();
        });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // A handler runs from the event loop, so never before this line has run.
    const starting = startRelay({ config, roles, log });
    starting.then(() => log.info({ roles }, 'lrs-relay started'), reject);
  });
  log.info('lrs-relay stopped');
  return 0;
}
