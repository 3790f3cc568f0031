import { describe, expect, it } from 'vitest';
import { niceMax, renderLines, renderStackedBars, toSlots } from '../../../src/support/pages/charts.ts';

const NOW_S = Date.UTC(2026, 0, 15, 12, 34) / 1000; // 12:34 in London (GMT in January)

describe('dashboard charts', () => {
  it('lays rows onto the slots ending with the current one, by UK clock time', () => {
    const { slotLabels, series } = toSlots({
      rows: [
        { slot: Date.UTC(2026, 0, 15, 12, 30) / 1000, status: 'failed', n: 2 },
        { slot: Date.UTC(2026, 0, 15, 12, 10) / 1000, status: 'succeeded', n: 5 },
        { slot: Date.UTC(2026, 0, 14, 9, 0) / 1000, status: 'succeeded', n: 99 }, // outside the window
      ],
      slotS: 600,
      count: 6,
      nowS: NOW_S,
      name: (r) => r.status,
      value: (r) => r.n,
      order: ['succeeded', 'failed'],
    });
    expect(slotLabels).toEqual(['11:40', '11:50', '12:00', '12:10', '12:20', '12:30']);
    expect(series).toEqual([
      { name: 'succeeded', values: [null, null, null, 5, null, null] },
      { name: 'failed', values: [null, null, null, null, null, 2] },
    ]);
  });

  it('uses British Summer Time in summer', () => {
    const { slotLabels } = toSlots({
      rows: [],
      slotS: 3600,
      count: 2,
      nowS: Date.UTC(2026, 6, 1, 12, 5) / 1000,
      name: () => '',
      value: () => 0,
    });
    expect(slotLabels).toEqual(['12:00', '13:00']);
  });

  it('stacks bars to a round axis and escapes every label', () => {
    const svg = renderStackedBars({
      title: 'Finished <b>',
      slotLabels: ['10:00', '10:10'],
      series: [
        { name: 'succeeded', values: [3, null] },
        { name: '<script>x</script>', values: [4, 1] },
      ],
      every: 1,
    }).value;
    expect(svg).toContain('<title>Finished &lt;b&gt;</title>');
    expect(svg).toContain('<title>10:00 succeeded: 3</title>');
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(svg).not.toContain('<script>');
    expect(svg.match(/<rect x=/g)).toHaveLength(3); // the empty slot draws nothing
    expect(svg).toContain('>10</text>'); // 7 requests at most: the axis goes to 10
  });

  it('draws a line per series with a gap where a slot has no value', () => {
    const svg = renderLines({
      title: 'p95',
      slotLabels: ['09:00', '10:00', '11:00'],
      series: [{ name: 'learnerByULN', values: [120, null, 480] }],
      unit: ' ms',
      every: 1,
    }).value;
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('<title>11:00 learnerByULN: 480 ms</title>');
  });

  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 480, 5000].map(niceMax)).toEqual([1, 1, 5, 10, 20, 500, 5000]);
  });
});
