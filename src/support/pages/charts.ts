/**
 * Server-rendered inline SVG charts for the dashboard: no scripts (the Content-Security-Policy forbids
 * them) and no style attributes, only SVG presentation attributes. Every chart of a page draws on one
 * time axis (the same buckets, the same x positions and ticks), its y axis on round ticks that fit its
 * values (whole numbers for counts), and comes with a text equivalent: a <title> and <desc> in the SVG
 * and its figures as a table. Every label goes through `html`, so it is escaped.
 */
import { html, type Html } from '../html.ts';
import type { Buckets } from '../overview.ts';

const WIDTH = 720;
const HEIGHT = 180;
const LEFT = 60;
const BOTTOM = 20;
const TOP = 8;
const PLOT_W = WIDTH - LEFT - 8;
const PLOT_H = HEIGHT - TOP - BOTTOM;

/** Colours per request status, and a palette for anything else. */
const STATUS_COLOURS: Record<string, string> = {
  succeeded: '#1a7f4b',
  needs_action: '#d97706',
  rejected: '#7c3aed',
  failed: '#b42318',
  cancelled: '#6b7280',
};
const PALETTE = ['#1f6feb', '#d97706', '#1a7f4b', '#b42318', '#7c3aed', '#0e7490', '#a16207', '#be185d'];

export interface Series {
  /** The stored name (a status, an operation): picks the colour. */
  name: string;
  /** What a person reads in the legend and the table. */
  label: string;
  /** One value per bucket; null where there is none (no calls in that bucket). */
  values: (number | null)[];
}

function colourOf(name: string, index: number): string {
  return STATUS_COLOURS[name] ?? PALETTE[index % PALETTE.length] ?? '#1f6feb';
}

/**
 * Round y-axis ticks from 0 up to at least `max`: about four steps of 1, 2 or 5 times a power of ten,
 * never a step below 1 for counts (0/1/2/3 for three requests, not 0/2500/5000 or 0/1.5/3).
 */
export function niceTicks(max: number, o: { integer: boolean } = { integer: true }): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = ([1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p) as number;
  if (o.integer) step = Math.max(1, Math.round(step));
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function londonParts(s: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of LONDON_PARTS.formatToParts(new Date(s * 1000))) out[p.type] = p.value;
  return out;
}

const clock = (p: Record<string, string>) => `${p.hour}:${p.minute}`;

/** A time axis over buckets: each bucket's label (its start, UK time) and the ticks to draw. */
export interface TimeAxis extends Buckets {
  bucketLabels: string[];
  /** Where a tick falls, in buckets from the axis start, and its label. */
  ticks: { at: number; label: string }[];
}

/**
 * The axis of `b`'s buckets with a tick at every `tickS` of UK clock time (every 10 minutes, hour, 3 hours
 * or midnight); ticks labelled by the time of day, or by the day for `ticks: 'day'`.
 */
export function timeAxis(b: Buckets, o: { tickS: number; ticks: 'clock' | 'day' }): TimeAxis {
  const bucketLabels = Array.from({ length: b.count }, (_, i) => {
    const p = londonParts(b.startS + i * b.bucketS);
    return o.ticks === 'day' ? `${p.weekday} ${p.day} ${clock(p)}` : clock(p);
  });
  const endS = b.startS + b.count * b.bucketS;
  const ticks: { at: number; label: string }[] = [];
  // UK time is UTC or UTC+1, whole hours: every tick falls on a multiple of gcd(tickS, 1 hour) in UTC.
  const gcd = (a: number, c: number): number => (c === 0 ? a : gcd(c, a % c));
  const grid = gcd(o.tickS, 3600);
  for (let t = Math.ceil(b.startS / grid) * grid; t <= endS; t += grid) {
    const p = londonParts(t);
    const minuteOfDay = Number(p.hour) * 60 + Number(p.minute);
    if ((minuteOfDay * 60) % o.tickS !== 0) continue;
    ticks.push({
      at: (t - b.startS) / b.bucketS,
      label: o.ticks === 'day' ? `${p.weekday} ${p.day} ${p.month}` : clock(p),
    });
  }
  return { ...b, bucketLabels, ticks };
}

const xAt = (axis: TimeAxis, at: number) => LEFT + (at * PLOT_W) / Math.max(1, axis.count);
const format = (v: number) => v.toLocaleString('en-GB');

function frame(axis: TimeAxis, yTicks: number[], unit: string): Html {
  const top = yTicks.at(-1) ?? 1;
  const ys = yTicks.map((v) => {
    const y = TOP + PLOT_H - (v / top) * PLOT_H;
    return html`<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#d5d9e0" stroke-width="1"/><text class="y-tick" x="${LEFT - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="10" fill="#556">${format(v)}${unit}</text>`;
  });
  const xs = axis.ticks.map((t) => {
    const x = xAt(axis, t.at).toFixed(1);
    return html`<line x1="${x}" x2="${x}" y1="${TOP}" y2="${TOP + PLOT_H}" stroke="#eef1f5" stroke-width="1"/><text class="x-tick" x="${x}" y="${HEIGHT - 6}" text-anchor="middle" font-size="10" fill="#556">${t.label}</text>`;
  });
  return html`${ys}${xs}`;
}

function legend(series: readonly Series[], offset: number): Html {
  return html`<p class="legend">${series.map(
    (s, i) =>
      html`<span><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${colourOf(s.name, i + offset)}"/></svg> ${s.label}</span> `,
  )}</p>`;
}

function svg(o: {
  title: string;
  desc: string;
  axis: TimeAxis;
  body: Html[];
  yTicks: number[];
  unit: string;
}) {
  return html`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" data-buckets="${o.axis.count}" data-bucket-seconds="${o.axis.bucketS}"><title>${o.title}</title><desc>${o.desc}</desc>${frame(o.axis, o.yTicks, o.unit)}${o.body}</svg>`;
}

/** Stacked bars, one per bucket (e.g. requests finished per bucket, by status). */
export function renderStackedBars(o: {
  title: string;
  desc: string;
  axis: TimeAxis;
  series: Series[];
}): Html {
  const totals = o.axis.bucketLabels.map((_, i) => o.series.reduce((t, s) => t + (s.values[i] ?? 0), 0));
  const yTicks = niceTicks(Math.max(0, ...totals));
  const top = yTicks.at(-1) ?? 1;
  const barW = PLOT_W / Math.max(1, o.axis.count);
  const bars = o.axis.bucketLabels.map((label, i) => {
    let y = TOP + PLOT_H;
    return html`${o.series.map((s, si) => {
      const v = s.values[i] ?? 0;
      if (v === 0) return '';
      const h = (v / top) * PLOT_H;
      y -= h;
      return html`<rect x="${xAt(o.axis, i).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, barW - (barW > 3 ? 1 : 0)).toFixed(1)}" height="${h.toFixed(1)}" fill="${colourOf(s.name, si)}"><title>${label} ${s.label}: ${v}</title></rect>`;
    })}`;
  });
  return html`${svg({ ...o, body: bars, yTicks, unit: '' })}${legend(o.series, 0)}`;
}

/** Lines, one per series, a point per bucket with a value and a gap where there is none. */
export function renderLines(o: {
  title: string;
  desc: string;
  axis: TimeAxis;
  series: Series[];
  unit: string;
  /** Whole-number ticks (counts); default true. */
  integer?: boolean;
  /** Points with tooltips (default true); off for long cumulative lines. */
  points?: boolean;
}): Html {
  const yTicks = niceTicks(Math.max(0, ...o.series.flatMap((s) => s.values.map((v) => v ?? 0))), {
    integer: o.integer ?? true,
  });
  const top = yTicks.at(-1) ?? 1;
  const x = (i: number) => xAt(o.axis, i + 0.5).toFixed(1);
  const y = (v: number) => (TOP + PLOT_H - (v / top) * PLOT_H).toFixed(1);
  const lines = o.series.map((s, si) => {
    const colour = colourOf(s.name, si + 1);
    const runs: string[] = [];
    let current: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        if (current.length > 0) runs.push(current.join(' '));
        current = [];
      } else current.push(`${x(i)},${y(v)}`);
    });
    if (current.length > 0) runs.push(current.join(' '));
    const points =
      o.points === false
        ? ''
        : s.values.map((v, i) =>
            v === null
              ? ''
              : html`<circle cx="${x(i)}" cy="${y(v)}" r="2.5" fill="${colour}"><title>${o.axis.bucketLabels[i]} ${s.label}: ${v}${o.unit}</title></circle>`,
          );
    return html`${runs.map((p) => html`<polyline points="${p}" fill="none" stroke="${colour}" stroke-width="1.5"/>`)}${points}`;
  });
  return html`${svg({ ...o, body: lines, yTicks, unit: o.unit })}${legend(o.series, 1)}`;
}

/**
 * A chart's figures as a table (its text equivalent), folded away under the chart: a row per bucket with
 * a value, or, for running totals (`changesOnly`), per bucket where a value changed, and the last.
 */
export function renderChartTable(o: {
  caption: string;
  axis: TimeAxis;
  series: Series[];
  unit: string;
  changesOnly?: boolean;
}): Html {
  const rows = o.axis.bucketLabels.flatMap((label, i) => {
    const values = o.series.map((s) => s.values[i] ?? null);
    const shown = o.changesOnly
      ? i === 0 || i === o.axis.count - 1 || o.series.some((s) => s.values[i] !== s.values[i - 1])
      : values.some((v) => v !== null && v !== 0);
    return shown ? [{ label, values }] : [];
  });
  return html`<details class="chart-table"><summary>${o.caption}: the figures as a table</summary>
${
  rows.length === 0
    ? html`<p class="muted">No figures in this range.</p>`
    : html`<table><caption class="visually-hidden">${o.caption}</caption><tr><th scope="col">From</th>${o.series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}</tr>
${rows.map((r) => html`<tr><th scope="row">${r.label}</th>${r.values.map((v) => html`<td class="num">${v === null ? '' : `${format(v)}${o.unit}`}</td>`)}</tr>`)}</table>`
}</details>`;
}

/**
 * Lays rows of (bucket, series name, value) onto `count` buckets, one series per name, in `order` first
 * and then by name; `label` gives each name its words.
 */
export function toSeries<R extends { bucket: number }>(o: {
  rows: readonly R[];
  count: number;
  name: (r: R) => string;
  value: (r: R) => number;
  order?: readonly string[];
  label?: (name: string) => string;
}): Series[] {
  const byName = new Map<string, (number | null)[]>();
  for (const r of o.rows) {
    if (r.bucket < 0 || r.bucket >= o.count) continue;
    const name = o.name(r);
    const values = byName.get(name) ?? Array.from({ length: o.count }, (): number | null => null);
    values[r.bucket] = (values[r.bucket] ?? 0) + o.value(r);
    byName.set(name, values);
  }
  const rank = (n: string) => {
    const i = o.order?.indexOf(n) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...byName.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => ({ name, label: o.label ? o.label(name) : name, values: byName.get(name) ?? [] }));
}

/** A small line of a running figure, with its first and last values in words beside it. */
export function renderSparkline(o: { values: readonly number[]; title: string; from: string }): Html {
  const w = 120;
  const h = 24;
  const max = Math.max(1, ...o.values);
  const n = Math.max(1, o.values.length - 1);
  const points = o.values
    .map((v, i) => `${((i * (w - 2)) / n + 1).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`)
    .join(' ');
  const first = o.values[0] ?? 0;
  const last = o.values.at(-1) ?? 0;
  return html`<span class="spark"><svg class="sparkline" role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}"><title>${o.title}: ${first} ${o.from}, ${last} now</title><polyline points="${points}" fill="none" stroke="#1f6feb" stroke-width="1.5"/></svg> <span class="muted">${first} ${o.from} → ${last} now</span></span>`;
}
