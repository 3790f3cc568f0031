/**
 * Server-rendered inline SVG charts for the dashboard: no scripts (the Content-Security-Policy forbids
 * them) and no style attributes, only SVG presentation attributes. Every label goes through `html`, so
 * it is escaped; each chart has a <title> and a text legend, and each bar or point a <title> tooltip.
 */
import { html, type Html } from '../html.ts';

const WIDTH = 720;
const HEIGHT = 180;
const LEFT = 60;
const BOTTOM = 20;
const TOP = 8;
const PLOT_W = WIDTH - LEFT - 8;
const PLOT_H = HEIGHT - TOP - BOTTOM;

/** Colours per request status (terminal statuses first), and a palette for anything else. */
const STATUS_COLOURS: Record<string, string> = {
  succeeded: '#1a7f4b',
  needs_action: '#d97706',
  rejected: '#7c3aed',
  failed: '#b42318',
  cancelled: '#6b7280',
};
const PALETTE = ['#1f6feb', '#d97706', '#1a7f4b', '#b42318', '#7c3aed', '#0e7490', '#a16207', '#be185d'];

export interface Series {
  name: string;
  /** One value per slot; null where there is no value (no calls in that hour). */
  values: (number | null)[];
}

function colourOf(name: string, index: number): string {
  return STATUS_COLOURS[name] ?? PALETTE[index % PALETTE.length] ?? '#1f6feb';
}

/** A round upper bound for the y axis (1, 2 or 5 times a power of ten). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function axes(o: { yMax: number; unit: string; slotLabels: string[]; every: number }): Html {
  const ticks = [0, 0.5, 1].map((f) => {
    const y = TOP + PLOT_H - f * PLOT_H;
    return html`<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y}" y2="${y}" stroke="#d5d9e0" stroke-width="1"/><text x="${LEFT - 4}" y="${y + 4}" text-anchor="end" font-size="10" fill="#556">${Math.round(f * o.yMax)}${o.unit}</text>`;
  });
  const n = o.slotLabels.length;
  const labels = o.slotLabels.map((label, i) =>
    i % o.every === 0
      ? html`<text x="${LEFT + ((i + 0.5) * PLOT_W) / n}" y="${HEIGHT - 6}" text-anchor="middle" font-size="10" fill="#556">${label}</text>`
      : '',
  );
  return html`${ticks}${labels}`;
}

function legend(series: Series[], offset = 0): Html {
  return html`<p class="legend">${series.map(
    (s, i) =>
      html`<span><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${colourOf(s.name, i + offset)}"/></svg> ${s.name}</span> `,
  )}</p>`;
}

/** Stacked bars, one per slot (e.g. requests finished per 10 minutes, by status). */
export function renderStackedBars(o: {
  title: string;
  slotLabels: string[];
  series: Series[];
  every: number;
}): Html {
  const n = o.slotLabels.length;
  const totals = o.slotLabels.map((_, i) => o.series.reduce((t, s) => t + (s.values[i] ?? 0), 0));
  const yMax = niceMax(Math.max(0, ...totals));
  const barW = PLOT_W / Math.max(1, n);
  const bars = o.slotLabels.map((label, i) => {
    let y = TOP + PLOT_H;
    return o.series.map((s, si) => {
      const v = s.values[i] ?? 0;
      if (v === 0) return '';
      const h = (v / yMax) * PLOT_H;
      y -= h;
      return html`<rect x="${(LEFT + i * barW).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colourOf(s.name, si)}"><title>${label} ${s.name}: ${v}</title></rect>`;
    });
  });
  return html`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}"><title>${o.title}</title>${axes({ yMax, unit: '', slotLabels: o.slotLabels, every: o.every })}${bars}</svg>${legend(o.series)}`;
}

/** Lines, one per series (e.g. p95 latency per operation per hour); a gap where a value is null. */
export function renderLines(o: {
  title: string;
  slotLabels: string[];
  series: Series[];
  unit: string;
  every: number;
}): Html {
  const n = o.slotLabels.length;
  const yMax = niceMax(Math.max(0, ...o.series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const x = (i: number) => (LEFT + ((i + 0.5) * PLOT_W) / Math.max(1, n)).toFixed(1);
  const y = (v: number) => (TOP + PLOT_H - (v / yMax) * PLOT_H).toFixed(1);
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
    const points = s.values.map((v, i) =>
      v === null
        ? ''
        : html`<circle cx="${x(i)}" cy="${y(v)}" r="2.5" fill="${colour}"><title>${o.slotLabels[i]} ${s.name}: ${v}${o.unit}</title></circle>`,
    );
    return html`${runs.map((p) => html`<polyline points="${p}" fill="none" stroke="${colour}" stroke-width="1.5"/>`)}${points}`;
  });
  return html`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}"><title>${o.title}</title>${axes({ yMax, unit: o.unit, slotLabels: o.slotLabels, every: o.every })}${lines}</svg>${legend(o.series, 1)}`;
}

const CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
});

/**
 * Lays rows of (slot start, series name, value) onto the `count` slots of `slotS` seconds that end with
 * the slot holding `nowS`; slots without a row are null. Labels are UK clock times.
 */
export function toSlots<R extends { slot: number }>(o: {
  rows: R[];
  slotS: number;
  count: number;
  nowS: number;
  name: (r: R) => string;
  value: (r: R) => number;
  order?: readonly string[];
}): { slotLabels: string[]; series: Series[] } {
  const last = Math.floor(o.nowS / o.slotS) * o.slotS;
  const first = last - (o.count - 1) * o.slotS;
  const slotLabels = Array.from({ length: o.count }, (_, i) =>
    CLOCK.format(new Date((first + i * o.slotS) * 1000)),
  );
  const byName = new Map<string, (number | null)[]>();
  for (const r of o.rows) {
    const i = Math.round((Number(r.slot) - first) / o.slotS);
    if (i < 0 || i >= o.count) continue;
    const name = o.name(r);
    const values = byName.get(name) ?? Array.from({ length: o.count }, (): number | null => null);
    values[i] = o.value(r);
    byName.set(name, values);
  }
  const rank = (n: string) => {
    const i = o.order?.indexOf(n) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const names = [...byName.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return { slotLabels, series: names.map((name) => ({ name, values: byName.get(name) ?? [] })) };
}
