/**
 * The monitoring pack in deploy/ asks only for series lrs-relay registers: every lrs_relay_* name in the
 * alert rules and the Grafana dashboard is registered by the process metrics, the scrape-time gauges or
 * a worker's organisation checks (histograms count with their _bucket/_sum/_count series). That running
 * processes export them with real values is test/integration/monitoring-scrape.test.ts's proof; this
 * one is the quick static check, and checks the Grafana JSON works with file provisioning.
 */
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.ts';
import { startOrganisationChecks } from '../../src/orgs/availability.ts';
import { createScrapeMetrics } from '../../src/support/scrape-metrics.ts';

const ROOT = new URL('../../', import.meta.url);

async function exportedSeries(): Promise<Set<string>> {
  const metrics = createMetrics();
  const log = pino({ level: 'silent' });
  const checks = startOrganisationChecks({
    directory: {
      list: () => Promise.resolve([]),
      get: () => Promise.reject(new Error('none')),
      invalidate() {},
    },
    registry: metrics.registry,
    log,
  });
  await checks.close();
  const noRows = { rows: [] };
  const scrape = createScrapeMetrics({
    db: { pool: { query: () => Promise.resolve(noRows) } } as never,
    queueSet: {
      list: () => Promise.resolve([]),
      organisationOf: () => undefined,
      close: () => Promise.resolve(),
    },
    metrics,
    log,
    processes: {
      required: ['worker'],
      report: () => Promise.resolve({ missing: ['worker'], processes: [] }),
    },
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

  it('the Grafana dashboard works with file provisioning: a data source variable, no import-screen inputs', async () => {
    const text = await readFile(new URL('deploy/grafana/lrs-relay.json', ROOT), 'utf8');
    const dashboard = JSON.parse(text) as {
      __inputs?: unknown;
      templating: { list: { name: string; type: string; query?: unknown }[] };
    };
    expect(dashboard.__inputs).toBeUndefined();
    expect(text).not.toContain('${DS_');
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.get('organisation')?.type).toBe('query');
    // Every data source reference is the variable.
    const uids = [...text.matchAll(/"uid": "([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(uids)).toEqual(new Set(['lrs-relay', '${datasource}']));
  });

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
