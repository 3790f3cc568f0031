import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import type { OrganisationRow, RequestRow } from '../queries.ts';
import { codeCell, formatTime, renderPage, statusCell } from './layout.ts';
import { learnerHref } from './learner.ts';
import { REQUEST_KINDS, REQUEST_STATUSES } from '../../../db/schema.ts';

export interface RequestsQuery {
  status: string;
  code: string;
  kind: string;
  org: string;
}

function select(name: string, current: string, options: readonly (readonly [string, string])[]): Html {
  return html`<select name="${name}"><option value="">any</option>${options.map(
    ([value, label]) =>
      html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`,
  )}</select>`;
}

export function renderRequestsPage(o: {
  auth: AuthLocals;
  rows: RequestRow[];
  query: RequestsQuery;
  organisations: OrganisationRow[];
  limit: number;
}): Html {
  const q = o.query;
  const body = html`<form method="get" action="/requests">
  <label>Status ${select(
    'status',
    q.status,
    REQUEST_STATUSES.map((s) => [s, s] as const),
  )}</label>
  <label>Code <input name="code" value="${q.code}" size="12"></label>
  <label>Kind ${select(
    'kind',
    q.kind,
    REQUEST_KINDS.map((k) => [k, k] as const),
  )}</label>
  <label>Organisation ${select(
    'org',
    q.org,
    o.organisations.map((g) => [String(g.id), `${g.ukprn ?? g.organisationRef ?? ''} ${g.name}`] as const),
  )}</label>
  <button>Filter</button></form>
<p class="muted">${o.rows.length === o.limit ? `Newest ${o.limit} shown.` : `${o.rows.length} request(s).`}</p>
<table><tr><th>Id</th><th>Organisation</th><th>Kind</th><th>MIS learner</th><th>Status</th><th>Code</th><th class="num">Attempts</th><th>Updated</th></tr>
${o.rows.map(
  (r) => html`<tr><td><a href="/requests/${r.id}">${r.id}</a></td><td>${r.organisation}</td><td>${r.kind}</td>
<td>${r.misLearnerId === null ? html`<span class="muted">hidden</span>` : html`<a href="${learnerHref(r.organisationId, r.misLearnerId)}">${r.misLearnerId}</a>`}</td><td>${statusCell(r.status)}</td><td>${codeCell(r.code)}</td>
<td class="num">${r.attempts}</td><td>${formatTime(r.updatedAt)}</td></tr>`,
)}</table>`;
  return renderPage({ title: 'Requests', auth: o.auth, body });
}
