import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import type { LearnerDetail, LearnerRequest } from '../learner-history.ts';
import type { OrganisationRow } from '../queries.ts';
import { kindLabel } from '../labels.ts';
import { codeCell, formatTime, renderPage, statusCell } from './layout.ts';

/** The learner page of an organisation's MIS learner id (query string, so the id is not in a logged path). */
export function learnerHref(organisationId: number, misLearnerId: string): string {
  return `/learner?org=${organisationId}&id=${encodeURIComponent(misLearnerId)}`;
}

/**
 * The lookup form: an MIS learner id or a ULN, in one of the actor's organisations or any of them (a
 * ULN names one person wherever they study; an MIS id is the MIS's own and may repeat across colleges).
 */
export function renderLearnerLookup(o: { organisations: OrganisationRow[]; org: string; id: string }): Html {
  return html`<form method="get" action="/learner" class="lookup filters">
  <label>Organisation <select name="org"><option value="">any of yours</option>${o.organisations.map(
    (g) =>
      html`<option value="${g.id}"${String(g.id) === o.org ? html` selected` : ''}>${g.ukprn ?? g.organisationRef ?? ''} ${g.name}</option>`,
  )}</select></label>
  <label>MIS learner id or ULN <input name="id" value="${o.id}" size="16" required></label>
  <button>Show learner</button></form>`;
}

/** When a ULN or MIS id names learners in more than one organisation: one line each, to choose from. */
export function renderLearnerChoicePage(o: {
  auth: AuthLocals;
  key: string;
  learners: { organisationId: number; organisation: string; misLearnerId: string; name: string | null }[];
}): Html {
  const body = html`<p>${o.learners.length} learners match <strong>${o.key}</strong>. Choose one:</p>
<ul class="learner-choices">${o.learners.map(
    (l) =>
      html`<li><a href="${learnerHref(l.organisationId, l.misLearnerId)}">${l.misLearnerId}</a> · ${l.organisation}${l.name ? html` · ${l.name}` : ''}</li>`,
  )}</ul><p><a href="/learner">Find another learner</a></p>`;
  return renderPage({ title: 'Choose a learner', auth: o.auth, body });
}

/** The lookup form alone, or after a lookup that found nothing (the same answer for any organisation). */
export function renderLearnerLookupPage(o: {
  auth: AuthLocals;
  organisations: OrganisationRow[];
  org: string;
  id: string;
  isNotFound: boolean;
}): Html {
  const body = html`${o.isNotFound ? html`<p class="error" role="alert">No such learner among your organisations.</p>` : html`<p>A learner's requests, outcomes and LRS calls, newest first.</p>`}
${renderLearnerLookup(o)}`;
  return renderPage({ title: o.isNotFound ? 'Learner not found' : 'Find a learner', auth: o.auth, body });
}

function ulnCell(r: LearnerRequest): Html {
  return html`${r.uln ?? ''}${r.masterUln ? html`<br><span class="muted">master</span> ${r.masterUln}` : ''}${
    r.linkedUlns?.length ? html`<br><span class="muted">linked</span> ${r.linkedUlns.join(', ')}` : ''
  }`;
}

function candidatesRow(r: LearnerRequest): Html {
  if (r.candidates.length === 0) return html``;
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  return html`<tr class="candidates"><td></td><td colspan="7">Possible match, ${r.candidates.length} candidate${r.candidates.length === 1 ? '' : 's'}:
<ul>${r.candidates.map(
    (c) =>
      html`<li>${text(c.uln)} · ${text(c.givenName)} ${text(c.familyName)} · ${text(c.dateOfBirth)} · ${text(c.lastKnownPostCode)}</li>`,
  )}</ul><a href="/requests/${r.id}#possible-match">Compare and choose on request ${r.id}</a></td></tr>`;
}

export function renderLearnerPage(o: { auth: AuthLocals; detail: LearnerDetail }): Html {
  const d = o.detail;
  const s = d.state;
  const body = html`<p>${d.organisation}${d.name ? html` · <span class="learner-name">${d.name}</span>` : ''} · <a href="/learner">find another learner</a></p>
<h2>Current state</h2>
${
  s
    ? html`<table class="state">
<tr><th>ULN</th><td>${s.uln ?? html`<span class="muted">none confirmed yet</span>`}</td></tr>
<tr><th>Latest request</th><td><a href="/requests/${s.requestId}">${s.requestId}</a> ${kindLabel(s.kind)} · ${statusCell(s.status)}</td></tr>
<tr><th>Code</th><td>${codeCell(s.code, s.codeMeaning)}</td></tr>
${s.resolution ? html`<tr><th>What to do</th><td class="resolution">${s.resolution}</td></tr>` : ''}
${s.requestUln ? html`<tr><th>Latest request's ULN</th><td>${s.requestUln}${s.masterUln ? html` (master ${s.masterUln})` : ''}</td></tr>` : ''}
<tr><th>Updated</th><td>${formatTime(s.updatedAt)}</td></tr>
<tr><th>Learning events stored</th><td class="learning-events">${d.learningEvents}</td></tr>
</table>`
    : ''
}
<h2>Requests</h2>
<p class="muted">${d.isTruncated ? `Newest ${d.requests.length} shown.` : `${d.requests.length} request(s).`}</p>
<table class="learner-requests"><tr><th>Id</th><th>Kind</th><th>Status</th><th>Code</th><th class="num">Attempts</th><th>Created</th><th>Completed</th><th>ULN</th></tr>
${d.requests.map(
  (
    r,
  ) => html`<tr data-request="${r.id}"><td><a href="/requests/${r.id}">${r.id}</a></td><td>${kindLabel(r.kind)}</td><td>${statusCell(r.status)}</td>
<td>${r.codeInfo ? codeCell(r.codeInfo.code, r.codeInfo.meaning) : codeCell(null)}${
    r.codeInfo?.resolution
      ? html`<div class="resolution"><strong>What to do:</strong> ${r.codeInfo.resolution}</div>`
      : r.codeInfo && !r.codeInfo.meaning
        ? html` <span class="muted">(not in the catalogue)</span>`
        : ''
  }</td><td class="num">${r.attempts}</td><td>${formatTime(r.createdAt)}</td><td>${formatTime(r.completedAt)}</td><td>${ulnCell(r)}</td></tr>
${candidatesRow(r)}`,
)}</table>
<h2>LRS calls and staff actions</h2>
${
  d.audit.length === 0
    ? html`<p class="muted">No calls recorded yet.</p>`
    : html`<table class="learner-audit"><tr><th>When</th><th>Request</th><th>Operation</th><th>Attempt</th><th>Code</th><th>HTTP</th><th class="num">ms</th><th>User</th></tr>
${d.audit.map(
  (
    a,
  ) => html`<tr><td>${formatTime(a.createdAt)}</td><td><a href="/requests/${a.requestId ?? ''}">${a.requestId ?? ''}</a></td><td>${a.operation}</td><td>${a.attempt ?? ''}</td>
<td>${codeCell(a.code)} <span class="muted">${a.codeSource}</span></td><td>${a.httpStatus ?? ''}</td><td class="num">${a.durationMs}</td><td>${a.userName}</td></tr>`,
)}</table>`
}`;
  return renderPage({ title: `Learner ${d.misLearnerId}`, auth: o.auth, body });
}
