import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { TERMINAL_STATUSES } from '../../../db/schema.ts';
import { FINISHED_SLOT_S, LATENCY_SLOT_S, type Overview } from '../overview.ts';
import { renderLines, renderStackedBars, toSlots } from './charts.ts';
import type { QueueDepth } from '../queue-depths.ts';
import { queueStoreName, type QueueBackendKind } from '../../queues.ts';
import { codeCell, renderPage, statusCell } from './layout.ts';
import type { RoleReport } from '../../processes/heartbeat.ts';

/**
 * One line of which roles run and which are missing. Hosts and process ids are for administrators
 * (like bull-board's Redis details); everyone sees a missing role, since it explains stalled work.
 */
function renderRoleLine(roles: RoleReport | undefined, isAdmin: boolean): Html {
  if (!roles) return html``;
  const running = [...new Set(roles.processes.flatMap((p) => p.roles))].sort();
  const where = (role: string) =>
    roles.processes
      .filter((p) => p.roles.includes(role))
      .map((p) => `${p.host} (pid ${p.pid}, ${p.version})`)
      .join(', ');
  const runs = running.map((r) => (isAdmin ? html`${r} on ${where(r)}` : html`${r}`));
  const list = runs.length === 0 ? html`none` : html`${runs.map((r, i) => (i === 0 ? r : html`; ${r}`))}`;
  return roles.missing.length > 0
    ? html`<p class="error" role="alert" id="roles">Missing: ${roles.missing.join(', ')} (no live process runs it; work of that role waits until one starts). Running: ${list}.</p>`
    : html`<p class="note" id="roles">Running: ${list}.</p>`;
}

export function renderOverviewPage(o: {
  auth: AuthLocals;
  overview: Overview;
  queues: QueueDepth[] | null;
  /** Why the queue figures are missing (the queue store did not answer), if it did not. */
  queuesError?: string | null;
  /** Where the queues live (default redis): named when they do not answer. */
  queueBackend?: QueueBackendKind | undefined;
  /** Which roles run where and which are missing (a relay's dashboard). */
  roles?: RoleReport | undefined;
  /** The time the charts end at (default now). */
  now?: Date;
}): Html {
  const v = o.overview;
  const store = queueStoreName(o.queueBackend);
  const nowS = (o.now ?? new Date()).getTime() / 1000;
  const finished = toSlots({
    rows: v.finishedPerSlot,
    slotS: FINISHED_SLOT_S,
    count: (24 * 3600) / FINISHED_SLOT_S,
    nowS,
    name: (r) => r.status,
    value: (r) => r.count,
    order: TERMINAL_STATUSES,
  });
  const latency = toSlots({
    rows: v.latencyPerHour,
    slotS: LATENCY_SLOT_S,
    count: 24,
    nowS,
    name: (r) => r.operation,
    value: (r) => r.p95Ms,
  });
  const total = v.byStatus.reduce((n, r) => n + r.count, 0);
  const body = html`${renderRoleLine(o.roles, o.auth.actor.isAdmin)}
<section><h2>Requests finished per 10 minutes, last 24 hours</h2>
${
  finished.series.length === 0
    ? html`<p class="muted">Nothing finished in the last 24 hours.</p>`
    : renderStackedBars({
        title: 'Requests finished per 10 minutes by status, last 24 hours',
        ...finished,
        every: 18,
      })
}</section>
<section><h2>LRS latency (95th percentile) per operation, last 24 hours</h2>
${
  latency.series.length === 0
    ? html`<p class="muted">No LRS calls in the last 24 hours.</p>`
    : renderLines({
        title: 'LRS call time, 95th percentile per hour, by operation',
        ...latency,
        unit: ' ms',
        every: 3,
      })
}</section>
<section><h2>Requests by status</h2>
<table><tr><th>Status</th><th class="num">Requests</th></tr>
${v.byStatus.map((r) => html`<tr><td><a href="/requests?status=${r.status}">${statusCell(r.status)}</a></td><td class="num">${r.count}</td></tr>`)}
<tr><th>All</th><th class="num">${total}</th></tr></table></section>
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
