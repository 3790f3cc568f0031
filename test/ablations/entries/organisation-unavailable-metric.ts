import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    "issue 23: an organisation whose password cannot be read shows in a worker's lrs_relay_organisation_available and LrsRelayOrganisationUnavailable fires on the scraped series",
  switchedOff: 'workers no longer check the organisations (the gauge is never registered)',
  edits: [
    {
      file: 'src/runtime.ts',
      find: '      const checks = startOrganisationChecks({ directory, registry: metrics.registry, log });',
      replace:
        '      const checks = { close: () => Promise.resolve() };\n      void startOrganisationChecks;',
    },
  ],
  tests: [
    {
      file: 'test/integration/monitoring-scrape.test.ts',
      name: 'each process exports the series the alert rules and the Grafana dashboard name, with real values',
    },
    {
      file: 'test/integration/monitoring-scrape.test.ts',
      name: 'promtool: the certificate and broken-organisation alerts fire on the scraped series',
    },
  ],
  ci: false,
});
