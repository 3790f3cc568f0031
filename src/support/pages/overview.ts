import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { TERMINAL_STATUSES } from '../../../db/schema.ts';
import {
  bucketsOf,
  DEFAULT_RANGE,
  openOverTime,
  OVERVIEW_RANGES,
  type Buckets,
  type Overview,
  type OverviewRange,
} from '../overview.ts';
import { renderChartTable, renderLines, renderStackedBars, timeAxis, toSeries } from './charts.ts';
import { ORGANISATION_STATES, type OrganisationHealth } from '../organisations.ts';
import { statusLabel } from '../labels.ts';
import type { QueueDepth } from '../queue-depths.ts';
import { queueStoreName, type QueueBackendKind } from '../../queues/catalogue.ts';
import { codeCell, formatTime, renderPage, statusCell } from './layout.ts';

/** The exception statuses, most urgent first (as the exceptions page orders them). */
const EXCEPTION_ORDER = ['failed', 'needs_action', 'rejected'];
import type { RoleReport } from '../../processes/heartbeat.ts';

const BUCKET_WORDS: Record<number, string> = {
  60: 'minute',
  300: '5 minutes',
  1200: '20 minutes',
  7200: '2 hours',
};

/** The range links: plain links with a query parameter, the chosen one marked for screen readers too. */
function renderRangeNav(range: OverviewRange): Html {
  return html`<nav class="ranges" aria-label="Time range of the charts">Charts over the last: ${Object.entries(
    OVERVIEW_RANGES,
  ).map(([key, r]) =>
    key === range
      ? html`<a href="/?range=${key}" aria-current="page" class="current">${r.label}</a> `
      : html`<a href="/?range=${key}">${r.label}</a> `,
  )}</nav>`;
}

/** One line per organisation: can send, paused for LRS maintenance, broken or disabled, and why. */
function renderHealth(rows: readonly OrganisationHealth[] | undefined): Html {
  if (!rows) return html``;
  return html`<section id="health"><h2>Organisations</h2>
${
  rows.length === 0
    ? html`<p class="muted">No organisations yet.</p>`
    : html`<ul class="health">${rows.map(
        (g) =>
          html`<li data-organisation="${g.id}" data-state="${g.state}"><span class="org-state org-${g.state}">${ORGANISATION_STATES[g.state]}</span> <a href="/organisations">${g.ukprn ?? g.organisationRef ?? ''} ${g.name}</a>${g.why ? html` <span class="why">${g.why}</span>` : ''}</li>`,
      )}</ul>`
}</section>`;
}

/** The running relay processes (their heartbeats) and any role that none of them runs. */
function renderProcesses(roles: RoleReport | undefined, isAdmin: boolean): Html {
  if (!roles) return html``;
  const missing =
    roles.missing.length > 0
      ? html`<p class="error" role="alert" id="roles">Missing: ${roles.missing.join(', ')} (no live process runs it; work of that role waits until one starts).</p>`
      : '';
  return html`<section id="processes"><h2>Running processes</h2>${missing}
${
  roles.processes.length === 0
    ? html`<p class="muted">No relay process has reported in.</p>`
    : html`<table class="processes"><caption class="visually-hidden">Running processes</caption><tr><th scope="col">Roles</th>${isAdmin ? html`<th scope="col">Host</th><th scope="col" class="num">Process id</th>` : ''}<th scope="col">Version</th><th scope="col">Started</th><th scope="col">Last heard</th></tr>
${roles.processes.map(
  (p) =>
    html`<tr><td>${p.roles.join(', ')}</td>${isAdmin ? html`<td>${p.host}</td><td class="num">${p.pid}</td>` : ''}<td>${p.version}</td><td>${formatTime(p.startedAt)}</td><td>${p.lastSeenSecondsAgo} s ago</td></tr>`,
)}</table>`
}</section>`;
}

export function renderOverviewPage(o: {
  auth: AuthLocals;
  overview: Overview & { buckets?: Buckets };
  queues: QueueDepth[] | null;
  /** Why the queue figures are missing (the queue store did not answer), if it did not. */
  queuesError?: string | null;
  /** Where the queues live (default redis): named when they do not answer. */
  queueBackend?: QueueBackendKind | undefined;
  /** Which roles run where and which are missing (a relay's dashboard). */
  roles?: RoleReport | undefined;
  /** Each organisation's health (the organisations page's own figures). */
  organisations?: OrganisationHealth[] | undefined;
  /** The range the charts span (default 24 hours). */
  range?: OverviewRange;
  /** The time the charts end at (default now). */
  now?: Date;
}): Html {
  const v = o.overview;
  const store = queueStoreName(o.queueBackend);
  const range = o.range ?? DEFAULT_RANGE;
  const r = OVERVIEW_RANGES[range];
  const buckets = v.buckets ?? bucketsOf(range, o.now ?? new Date());
  const axis = timeAxis(buckets, r);
  const per = BUCKET_WORDS[buckets.bucketS] ?? `${buckets.bucketS} s`;
  const finished = toSeries({
    rows: v.finishedPerBucket,
    count: buckets.count,
    name: (x) => x.status,
    value: (x) => x.count,
    order: TERMINAL_STATUSES,
    label: statusLabel,
  });
  const latency = toSeries({
    rows: v.latencyPerBucket,
    count: buckets.count,
    name: (x) => x.operation,
    value: (x) => x.p95Ms,
  });
  const exceptionStatuses = [...new Set(v.exceptionsOpened.map((x) => x.status))].sort(
    (a, b) => EXCEPTION_ORDER.indexOf(a) - EXCEPTION_ORDER.indexOf(b),
  );
  const open = exceptionStatuses.map((status) => ({
    name: status,
    label: statusLabel(status),
    values: openOverTime(
      v.exceptionsOpened.filter((x) => x.status === status),
      buckets.count,
    ),
  }));
  const finishedTotals = finished.map((s) => ({
    label: s.label,
    total: s.values.reduce<number>((t, x) => t + (x ?? 0), 0),
  }));
  const finishedAll = finishedTotals.reduce((t, s) => t + s.total, 0);
  const busiest = axis.bucketLabels
    .map((label, i) => ({ label, n: finished.reduce((t, s) => t + (s.values[i] ?? 0), 0) }))
    .reduce((a, b) => (b.n > a.n ? b : a), { label: '', n: 0 });
  const slowest = latency
    .flatMap((s) => s.values.map((x, i) => ({ s: s.label, at: axis.bucketLabels[i] ?? '', ms: x ?? 0 })))
    .reduce((a, b) => (b.ms > a.ms ? b : a), { s: '', at: '', ms: 0 });
  const openNow = open.map((s) => ({ label: s.label, now: s.values.at(-1) ?? 0, then: s.values[0] ?? 0 }));
  const body = html`${renderRangeNav(range)}
${renderHealth(o.organisations)}
${renderProcesses(o.roles, o.auth.actor.isAdmin)}
<section><h2>Requests finished per ${per}, last ${r.label}</h2>
${
  finished.length === 0
    ? html`<p class="muted">Nothing finished in the last ${r.label}.</p>`
    : html`${renderStackedBars({
        title: `Requests finished per ${per} by status, last ${r.label}`,
        desc: `${finishedAll} finished in the last ${r.label} (${finishedTotals.map((t) => `${t.label} ${t.total}`).join(', ')}); the most in one ${per}: ${busiest.n}, from ${busiest.label}.`,
        axis,
        series: finished,
      })}${renderChartTable({ caption: `Requests finished per ${per}`, axis, series: finished, unit: '' })}`
}</section>
<section><h2>LRS latency (95th percentile) per ${per}, last ${r.label}</h2>
${
  latency.length === 0
    ? html`<p class="muted">No LRS calls in the last ${r.label}.</p>`
    : html`${renderLines({
        title: `LRS call time, 95th percentile per ${per}, by operation, last ${r.label}`,
        desc: `The slowest ${per}: ${slowest.ms} ms (${slowest.s}, from ${slowest.at}).`,
        axis,
        series: latency,
        unit: ' ms',
      })}${renderChartTable({ caption: 'LRS call time, 95th percentile', axis, series: latency, unit: ' ms' })}`
}</section>
<section><h2>Open exceptions, last ${r.label}</h2>
${
  open.length === 0
    ? html`<p class="muted">No exception was open in the last ${r.label}: nothing needs a person.</p>`
    : html`<p class="muted">How many exceptions were open at the end of each ${per}: each counts from when it opened until it was retried, cancelled or resolved (or until now, while it is open). Each group, with what to do: <a href="/exceptions">Exceptions</a>.</p>${renderLines(
        {
          title: `Open exceptions by status, last ${r.label}`,
          desc: `Open now: ${openNow.map((x) => `${x.label} ${x.now}`).join(', ')}; at the start of the range: ${openNow.map((x) => `${x.label} ${x.then}`).join(', ')}.`,
          axis,
          series: open,
          unit: '',
          points: false,
        },
      )}${renderChartTable({ caption: 'Open exceptions', axis, series: open, unit: '', changesOnly: true })}`
}</section>
<section><h2>Requests by status</h2>
<p class="muted">Open work and exceptions whatever their age; finished requests of the last ${r.label}.</p>
<table><tr><th scope="col">Status</th><th scope="col" class="num">Requests</th></tr>
${v.byStatus.map((x) => html`<tr><td><a href="/requests?status=${x.status}">${statusCell(x.status)}</a></td><td class="num">${x.count}</td></tr>`)}
${finished
  .filter((x) => x.name === 'succeeded' || x.name === 'cancelled')
  .map(
    (x) =>
      html`<tr><td><a href="/requests?status=${x.name}">${statusCell(x.name)}</a> <span class="muted">in the last ${r.label}</span></td><td class="num">${x.values.reduce<number>((t, n) => t + (n ?? 0), 0)}</td></tr>`,
  )}</table></section>
<section><h2>Open and unresolved requests by code</h2>
${
  v.openByCode.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><tr><th>Status</th><th>Code</th><th class="num">Requests</th></tr>
${v.openByCode.map(
  (r) =>
    html`<tr><td>${statusCell(r.status)}</td><td><a href="/requests?status=${r.status}&code=${r.code}">${codeCell(r.code, r.meaning)}</a></td><td class="num">${r.count}</td></tr>`,
)}</table>`
}</section>
<section><h2>Finished in the last hour</h2>
${
  v.lastHour.length === 0
    ? html`<p class="muted">Nothing finished in the last hour.</p>`
    : html`<table><tr><th>Status</th><th class="num">Requests</th></tr>
${v.lastHour.map((r) => html`<tr><td>${statusCell(r.status)}</td><td class="num">${r.count}</td></tr>`)}</table>`
}</section>
<section><h2>Queues</h2>
${
  o.queuesError
    ? html`<p class="error" role="alert">The queue store (${store}) is not answering: ${o.queuesError}. Work waits in Postgres and nothing is lost; it continues by itself once ${store} is back (see /readyz).</p>`
    : o.queues === null
      ? html`<p class="muted">No queue store is connected to this dashboard.</p>`
      : html`<table><tr><th>Queue</th><th class="num">Waiting</th><th class="num">Active</th><th class="num">Delayed</th><th class="num">Failed</th></tr>
${o.queues.map((q) => html`<tr><td>${q.queue}</td><td class="num">${q.waiting}</td><td class="num">${q.active}</td><td class="num">${q.delayed}</td><td class="num">${q.failed}</td></tr>`)}</table>`
}</section>
<section><h2>LRS latency, last hour</h2>
${
  v.latency.length === 0
    ? html`<p class="muted">No LRS calls in the last hour.</p>`
    : html`<table><tr><th>Operation</th><th class="num">Calls</th><th class="num">Average ms</th><th class="num">95th percentile ms</th><th class="num">Slowest ms</th></tr>
${v.latency.map((r) => html`<tr><td>${r.operation}</td><td class="num">${r.calls}</td><td class="num">${r.avgMs}</td><td class="num">${r.p95Ms}</td><td class="num">${r.maxMs}</td></tr>`)}</table>`
}</section>`;
  return renderPage({ title: 'Overview', auth: o.auth, body });
}
