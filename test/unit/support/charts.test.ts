import { describe, expect, it } from 'vitest';
import {
  niceTicks,
  renderChartTable,
  renderLines,
  renderStackedBars,
  timeAxis,
  toSeries,
} from '../../../src/support/pages/charts.ts';
import { bucketsOf, openOverTime, readOverviewRange } from '../../../src/support/overview.ts';

const NOW = new Date(Date.UTC(2026, 0, 15, 12, 34)); // 12:34 in London (GMT in January)

describe('dashboard charts', () => {
  it('cuts each range into buckets that end with the one holding now', () => {
    expect(bucketsOf('1h', NOW)).toEqual({
      startS: Date.UTC(2026, 0, 15, 11, 35) / 1000,
      bucketS: 60,
      count: 60,
    });
    expect(bucketsOf('6h', NOW).count).toBe(72);
    expect(bucketsOf('24h', NOW)).toMatchObject({ bucketS: 1200, count: 72 });
    expect(bucketsOf('7d', NOW)).toMatchObject({ bucketS: 7200, count: 84 });
    expect(readOverviewRange('7d')).toBe('7d');
    expect(readOverviewRange('<script>')).toBe('24h');
  });

  it('ticks the time axis on round UK clock times: every 10 minutes, hour, 3 hours or midnight', () => {
    const hour = timeAxis(bucketsOf('1h', NOW), { tickS: 600, ticks: 'clock' });
    expect(hour.ticks.map((t) => t.label)).toEqual(['11:40', '11:50', '12:00', '12:10', '12:20', '12:30']);
    expect(hour.bucketLabels.at(-1)).toBe('12:34');
    const week = timeAxis(bucketsOf('7d', NOW), { tickS: 86_400, ticks: 'day' });
    expect(week.ticks.map((t) => t.label)).toEqual([
      'Fri 9 Jan',
      'Sat 10 Jan',
      'Sun 11 Jan',
      'Mon 12 Jan',
      'Tue 13 Jan',
      'Wed 14 Jan',
      'Thu 15 Jan',
    ]);
    // In summer the midnight tick falls at 23:00 UTC, between two-hour buckets.
    const summer = timeAxis(bucketsOf('7d', new Date(Date.UTC(2026, 6, 1, 12))), {
      tickS: 86_400,
      ticks: 'day',
    });
    expect(summer.ticks[0]).toEqual({ at: 4.5, label: 'Thu 25 Jun' });
    expect(summer.ticks.every((t) => t.at % 1 === 0.5)).toBe(true);
  });

  it('puts the y axis on whole-number ticks for small counts and round ones for large', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(1)).toEqual([0, 1]);
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(12)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(5000)).toEqual([0, 2000, 4000, 6000]);
    expect(niceTicks(0.3, { integer: false })).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('stacks bars, escapes every label and gives the figures as a table', () => {
    const axis = timeAxis(
      { startS: Date.UTC(2026, 0, 15, 10) / 1000, bucketS: 600, count: 2 },
      { tickS: 3600, ticks: 'clock' },
    );
    const series = [
      { name: 'succeeded', label: 'Succeeded', values: [3, null] },
      { name: '<script>x</script>', label: '<script>x</script>', values: [4, 1] },
    ];
    const svg = renderStackedBars({ title: 'Finished <b>', desc: 'd', axis, series }).value;
    expect(svg).toContain('<title>Finished &lt;b&gt;</title><desc>d</desc>');
    expect(svg).toContain('<title>10:00 Succeeded: 3</title>');
    expect(svg).not.toContain('<script>');
    expect(svg.match(/<rect x=/g)).toHaveLength(3); // the empty bucket draws nothing
    expect([...svg.matchAll(/class="y-tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      '0',
      '2',
      '4',
      '6',
      '8',
    ]);
    const table = renderChartTable({ caption: 'Finished', axis, series, unit: '' }).value;
    expect(table).toContain(
      '<tr><th scope="row">10:00</th><td class="num">3</td><td class="num">4</td></tr>',
    );
  });

  it('draws a line per series with a gap where a bucket has no value', () => {
    const axis = timeAxis(
      { startS: Date.UTC(2026, 0, 15, 9) / 1000, bucketS: 3600, count: 3 },
      { tickS: 3600, ticks: 'clock' },
    );
    const svg = renderLines({
      title: 'p95',
      desc: '',
      axis,
      series: [{ name: 'learnerByULN', label: 'learnerByULN', values: [120, null, 480] }],
      unit: ' ms',
    }).value;
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('<title>11:00 learnerByULN: 480 ms</title>');
  });

  it('lays rows onto buckets and counts open exceptions over time from when each opened', () => {
    const series = toSeries({
      rows: [
        { bucket: 2, status: 'failed', n: 2 },
        { bucket: 0, status: 'succeeded', n: 5 },
        { bucket: 9, status: 'succeeded', n: 99 }, // outside the range
      ],
      count: 3,
      name: (r) => r.status,
      value: (r) => r.n,
      order: ['succeeded', 'failed'],
    });
    expect(series.map((s) => [s.name, s.values])).toEqual([
      ['succeeded', [5, null, null]],
      ['failed', [null, null, 2]],
    ]);
    expect(
      openOverTime(
        [
          { bucket: -1, count: 4 },
          { bucket: 1, count: 2 },
          { bucket: 3, count: 1 },
        ],
        4,
      ),
    ).toEqual([4, 6, 6, 7]);
    // Closed ones count up to the bucket before they closed; one opened and closed in one bucket not at all.
    expect(
      openOverTime(
        [
          { bucket: -1, closedBucket: 2, count: 3 },
          { bucket: 1, closedBucket: null, count: 1 },
          { bucket: 1, closedBucket: 1, count: 5 },
          { bucket: 2, closedBucket: 3, count: 2 },
        ],
        4,
      ),
    ).toEqual([3, 4, 3, 1]);
  });
});
