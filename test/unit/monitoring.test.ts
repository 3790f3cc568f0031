/**
 * The monitoring pack in deploy/ asks only for series lrs-relay exports: every lrs_relay_* name in the
 * alert rules and the Grafana dashboard is registered by the process metrics, the scrape-time gauges or
 * the certificate gauge (histograms count with their _bucket/_sum/_count series).
 */
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.ts';
import { registerCertificateExpiryGauge } from '../../src/orgs/certificates.ts';
import { createScrapeMetrics } from '../../src/support/scrape-metrics.ts';

const ROOT = new URL('../../', import.meta.url);

async function exportedSeries(): Promise<Set<string>> {
  const metrics = createMetrics();
  registerCertificateExpiryGauge({ registry: metrics.registry, listExpiries: () => Promise.resolve([]) });
  const noRows = { rows: [] };
  const scrape = createScrapeMetrics({
    db: { pool: { query: () => Promise.resolve(noRows) } } as never,
    queueSet: { list: () => Promise.resolve([]), close: () => Promise.resolve() },
    metrics,
    log: pino({ level: 'silent' }),
  });
  const { body } = await scrape.render();
  const names = new Set<string>();
  for (const m of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = m;
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

async function usedSeries(file: string): Promise<string[]> {
  const text = await readFile(new URL(file, ROOT), 'utf8');
  return [...new Set(text.match(/\blrs_relay_[a-z0-9_]+/g) ?? [])];
}

describe('monitoring pack', () => {
  it.each(['deploy/prometheus/lrs-relay.rules.yml', 'deploy/grafana/lrs-relay.json'])(
    '%s uses only exported series',
    async (file) => {
      const exported = await exportedSeries();
      const used = await usedSeries(file);
      expect(used.length).toBeGreaterThan(5);
      expect(used.filter((name) => !exported.has(name))).toEqual([]);
    },
  );

  it('every alert has a severity, a summary and a description', async () => {
    const text = await readFile(new URL('deploy/prometheus/lrs-relay.rules.yml', ROOT), 'utf8');
    const alerts = text.split(/\n\s+- alert: /).slice(1);
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    for (const a of alerts) {
      expect(a).toMatch(/severity: (info|warning|critical)/);
      expect(a).toMatch(/summary: /);
      expect(a).toMatch(/description: /);
    }
  });
});
