import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../../../src/support/prometheus-text.ts';

describe('parsePrometheusText', () => {
  it('reads what prom-client writes, histograms included', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'x_total', help: 'x', labelNames: ['a'], registers: [registry] });
    const h = new Histogram({ name: 'lat_seconds', help: 'l', buckets: [0.1, 1], registers: [registry] });
    c.inc({ a: 'q"uote' }, 2);
    h.observe(0.5);
    const m = parsePrometheusText(await registry.metrics());
    expect(m.get('x_total')?.type).toBe('counter');
    expect(sampleValue(m, 'x_total', { a: 'q"uote' })).toBe(2);
    expect(sampleValue(m, 'lat_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(sampleValue(m, 'lat_seconds_bucket', { le: '0.1' })).toBe(0);
    expect(sampleValue(m, 'lat_seconds_count')).toBe(1);
  });

  it('refuses malformed text', () => {
    expect(() => parsePrometheusText('# TYPE a gauge\na{b="1" 2\n')).toThrow(
      /bad labels|not a Prometheus sample/,
    );
    expect(() => parsePrometheusText('undeclared 1\n')).toThrow(/undeclared/);
    expect(() => parsePrometheusText('# TYPE a gauge\na one\n')).toThrow(/bad sample value/);
    expect(() => parsePrometheusText('# TYPE a weird\n')).toThrow(/bad TYPE/);
  });
});
