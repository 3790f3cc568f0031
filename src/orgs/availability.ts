/**
 * `lrs_relay_organisation_available{organisation, problem}`: whether this worker process can use each
 * enabled organisation's credentials (password and client certificate resolved and checked, as a job
 * would). A broken organisation makes no LRS call (its requests end ORGANISATION_UNAVAILABLE), so the
 * LRS error rate cannot show it; this gauge does, at once and with no work queued. Checked when the
 * worker starts and every `intervalMs`; `problem` is the organisation error code (empty when available).
 */
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import { OrganisationError } from './errors.ts';
import type { OrganisationDirectory } from './directory.ts';

export interface OrganisationChecks {
  /** Runs one round of checks now (also run at start and on the interval). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export function startOrganisationChecks(o: {
  directory: OrganisationDirectory;
  registry: Registry;
  log: Logger;
  intervalMs?: number;
}): OrganisationChecks {
  const gauge = new Gauge({
    name: 'lrs_relay_organisation_available',
    help: "1 when this worker can use the organisation's LRS credentials (password, certificate); 0 with the problem's code",
    labelNames: ['organisation', 'problem'] as const,
    registers: [o.registry],
  });
  let running: Promise<void> | undefined;
  const round = async () => {
    let organisations;
    try {
      organisations = (await o.directory.list()).filter((x) => !x.isDisabled);
    } catch (e) {
      // Postgres away: keep the last answers (lrs_relay_scrape_up and /readyz report the outage).
      o.log.debug({ err: e }, 'organisation checks skipped: cannot list organisations');
      return;
    }
    const results = await Promise.all(
      organisations.map(async (x) => {
        try {
          await o.directory.get(x.organisationId);
          return { organisation: x.code, problem: '' };
        } catch (e) {
          // The directory has logged what is wrong, naming the organisation and the reference.
          return e instanceof OrganisationError ? { organisation: x.code, problem: e.code } : undefined;
        }
      }),
    );
    gauge.reset();
    for (const r of results) if (r) gauge.set(r, r.problem === '' ? 1 : 0);
  };
  const check = () => (running ??= round().finally(() => (running = undefined)));
  void check();
  const timer = setInterval(() => void check(), o.intervalMs ?? 60_000);
  timer.unref();
  return {
    check,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
