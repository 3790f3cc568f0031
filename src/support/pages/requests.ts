import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import type { OrganisationRow, RequestRow } from '../queries.ts';
import { codeCell, formatTime, renderPage, statusCell } from './layout.ts';
import { learnerHref } from './learner.ts';
import { REQUEST_KINDS, REQUEST_STATUSES } from '../../../db/schema.ts';
import { formatAge, kindLabel, statusLabel } from '../labels.ts';

/** The "older than" choices of the age filter: query value → seconds and label. */
export const AGE_FILTERS = {
  '1h': [3_600, 'older than 1 hour'],
  '24h': [86_400, 'older than 24 hours'],
  '7d': [7 * 86_400, 'older than 7 days'],
  '30d': [30 * 86_400, 'older than 30 days'],
} as const;

export const REQUEST_ORDERS = { newest: 'newest first', oldest: 'oldest first' } as const;

/** The list's query string as given (each value already cut to size), for the form and the paging links. */
export interface RequestsQuery {
  q: string;
  status: string;
  code: string;
  kind: string;
  org: string;
  age: string;
  order: string;
}

function select(name: string, current: string, options: readonly (readonly [string, string])[]): Html {
  return html`<select name="${name}" id="f-${name}"><option value="">any</option>${options.map(
    ([value, label]) =>
      html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`,
  )}</select>`;
}

/** The list's URL with the same filters, continuing from a request id. */
function pageHref(q: RequestsQuery, from: { after?: number; before?: number }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== '') params.set(k, v);
  if (from.after !== undefined) params.set('after', String(from.after));
  if (from.before !== undefined) params.set('before', String(from.before));
  return `/requests?${params.toString()}`;
}

function learnerCell(r: RequestRow): Html {
  if (r.misLearnerId === null) return html`<span class="muted">hidden</span>`;
  return html`<a href="${learnerHref(r.organisationId, r.misLearnerId)}">${r.misLearnerId}</a>${
    r.learnerName ? html`<br><span class="learner-name">${r.learnerName}</span>` : ''
  }`;
}

export function renderRequestsPage(o: {
  auth: AuthLocals;
  rows: RequestRow[];
  query: RequestsQuery;
  organisations: OrganisationRow[];
  /** Whether there are rows beyond each end of this page (keyset paging). */
  hasNewer: boolean;
  hasOlder: boolean;
  /** Whether this member of staff may search by learner (ULN, MIS id, name) in some organisation. */
  canSearch: boolean;
  now: Date;
}): Html {
  const q = o.query;
  const oldestFirst = q.order === 'oldest';
  const first = o.rows[0]?.id;
  const last = o.rows.at(-1)?.id;
  // "Newer" is towards the top of a newest-first list and the bottom of an oldest-first one.
  const newerLink =
    o.hasNewer && first !== undefined && last !== undefined
      ? html`<a rel="prev" href="${pageHref(q, oldestFirst ? { after: last } : { before: first })}">← Newer</a>`
      : html`<span class="muted">← Newer</span>`;
  const olderLink =
    o.hasOlder && first !== undefined && last !== undefined
      ? html`<a rel="next" href="${pageHref(q, oldestFirst ? { before: first } : { after: last })}">Older →</a>`
      : html`<span class="muted">Older →</span>`;
  const paging = html`<nav class="paging" aria-label="Pages">${oldestFirst ? html`${olderLink} · ${newerLink}` : html`${newerLink} · ${olderLink}`} · <a href="${pageHref(q, {})}">First page</a></nav>`;
  const body = html`<form method="get" action="/requests" class="filters">
  ${
    o.canSearch
      ? html`<label for="f-q">Learner</label> <input type="search" id="f-q" name="q" value="${q.q}" size="22" placeholder="ULN, MIS id or name">`
      : ''
  }
  <label for="f-status">Status</label> ${select(
    'status',
    q.status,
    REQUEST_STATUSES.map((s) => [s, statusLabel(s)] as const),
  )}
  <label for="f-code">Code</label> <input id="f-code" name="code" value="${q.code}" size="12">
  <label for="f-kind">Kind</label> ${select(
    'kind',
    q.kind,
    REQUEST_KINDS.map((k) => [k, kindLabel(k)] as const),
  )}
  <label for="f-org">Organisation</label> ${select(
    'org',
    q.org,
    o.organisations.map((g) => [String(g.id), `${g.ukprn ?? g.organisationRef ?? ''} ${g.name}`] as const),
  )}
  <label for="f-age">Age</label> ${select(
    'age',
    q.age,
    Object.entries(AGE_FILTERS).map(([k, [, label]]) => [k, label] as const),
  )}
  <label for="f-order">Sort</label> <select name="order" id="f-order">${Object.entries(REQUEST_ORDERS).map(
    ([k, label]) =>
      html`<option value="${k}"${k === (q.order || 'newest') ? html` selected` : ''}>${label}</option>`,
  )}</select>
  <button>Show</button> <a href="/requests">Clear</a></form>
${
  o.rows.length === 0
    ? html`<p>No requests match.</p>`
    : html`${paging}
<div class="scroll"><table class="requests"><caption class="visually-hidden">Requests, ${REQUEST_ORDERS[oldestFirst ? 'oldest' : 'newest']}</caption>
<tr><th scope="col">Id</th><th scope="col">Organisation</th><th scope="col">Kind</th><th scope="col">Learner</th><th scope="col">Status</th><th scope="col">Code</th><th scope="col" class="num">Attempts</th><th scope="col">Age</th><th scope="col">Updated</th></tr>
${o.rows.map(
  (
    r,
  ) => html`<tr data-request="${r.id}"><td><a href="/requests/${r.id}">${r.id}</a></td><td><a href="/organisations#organisation-${r.organisationId}">${r.organisation}</a></td><td>${kindLabel(r.kind)}</td>
<td>${learnerCell(r)}</td><td>${statusCell(r.status)}</td><td>${codeCell(r.code, r.codeMeaning)}</td>
<td class="num">${r.attempts}</td><td title="${formatTime(r.createdAt)}">${formatAge(r.createdAt, o.now)}</td><td>${formatTime(r.updatedAt)}</td></tr>`,
)}</table></div>
${paging}`
}`;
  return renderPage({ title: 'Requests', auth: o.auth, body });
}
