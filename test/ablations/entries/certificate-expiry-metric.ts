import { defineAblation } from '../types.ts';

export default defineAblation({
  promise:
    'issue 23: a running relay exports lrs_relay_certificate_expiry_days (a certificate 10 days from expiry shows 10) and LrsRelayCertificateExpiring fires on the scraped series',
  switchedOff: "the dashboard's /metrics no longer registers the certificate expiry gauge",
  edits: [
    {
      file: 'src/support/scrape-metrics.ts',
      find: '  registerCertificateExpiryGauge({ registry, listExpiries: () => Promise.resolve(certificates) });',
      replace: '  void certificates;',
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
