import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { compareCandidates, MATCH_FIELDS, readCandidates } from '../match.ts';
import type { RequestDetail } from '../queries.ts';
import { CANCELLABLE_STATUSES, RETRYABLE_STATUSES } from '../actions.ts';
import { codeCell, csrfField, formatTime, hiddenTextCell, renderPage, statusCell } from './layout.ts';
import { learnerHref } from './learner.ts';
import { kindLabel, learnerValueLabel } from '../labels.ts';

/** The learner details a request sent, one field a row, coded values in words. */
function renderPayload(payload: unknown): Html {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return html`<pre>${JSON.stringify(payload, null, 2)}</pre>`;
  const labels = new Map<string, string>(MATCH_FIELDS.map(([f, l]) => [f, l]));
  const cell = (field: string, v: unknown) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? html`${learnerValueLabel(field, String(v))}`
      : html`<code>${JSON.stringify(v)}</code>`;
  return html`<table class="payload"><caption class="visually-hidden">Learner details sent</caption>
${Object.entries(payload as Record<string, unknown>).map(
  ([field, v]) =>
    html`<tr data-field="${field}"><th scope="row">${labels.get(field) ?? field}</th><td>${cell(field, v)}</td></tr>`,
)}</table>`;
}

const MODE_LABELS: Readonly<Record<string, string>> = {
  single: 'one call at a time',
  batch: 'in a batch',
  auto: 'one call or a batch, as the relay chooses',
};

/** Field problems as a table: the field, the rule it broke, and its value where this viewer may see it. */
function renderFieldProblems(d: RequestDetail): Html {
  const rows = d.outcome?.fieldProblems ?? [];
  if (rows.length === 0) return html``;
  return html`<h3 id="field-problems">Field problems</h3>
<table class="field-problems"><caption class="visually-hidden">Field problems</caption>
<tr><th scope="col">Field</th><th scope="col">Rule broken</th>${d.personalData ? html`<th scope="col">Value sent</th>` : ''}</tr>
${rows.map(
  (p) =>
    html`<tr data-field="${p.field}"><td>${p.label ? html`${p.label} <span class="muted"><code>${p.field}</code></span>` : html`<code>${p.field}</code>`}</td><td>${p.rule}</td>${
      d.personalData
        ? html`<td class="value">${p.value ? p.value : html`<span class="muted">not given</span>`}</td>`
        : ''
    }</tr>`,
)}</table>${d.personalData ? '' : html`<p class="muted">The values are not shown: you may not see this organisation's learners' personal data.</p>`}`;
}

function renderMatch(auth: AuthLocals, d: RequestDetail): Html {
  const candidates = readCandidates(d.outcome?.candidates);
  if (!d.personalData || candidates.length === 0) return html``;
  const learner = (d.request.payload ?? {}) as Record<string, unknown>;
  const rows = compareCandidates(learner, candidates);
  const canResolve = d.request.status === 'needs_action';
  return html`<section id="possible-match"><h2>Possible match: ${candidates.length} candidate${candidates.length === 1 ? '' : 's'}</h2>
<p>Compare the learner with each candidate. Highlighted cells differ from the learner.</p>
<table class="match"><tr><th>Field</th><th>Learner (MIS)</th>${candidates.map((_, i) => html`<th>Candidate ${i + 1}</th>`)}</tr>
${rows.map(
  (r) =>
    html`<tr data-field="${r.field}"><th>${r.label}</th><td>${learnerValueLabel(r.field, r.learner)}</td>${r.candidates.map(
      (c) => html`<td class="${c.isDifferent ? 'diff' : ''}">${learnerValueLabel(r.field, c.value)}</td>`,
    )}</tr>`,
)}
${
  canResolve
    ? html`<tr><th></th><td></td>${candidates.map(
        (c, i) => html`<td><form method="post" action="/requests/${d.request.id}/resolve">${csrfField(auth)}
<input type="hidden" name="uln" value="${String(c.uln)}"><button name="choose" value="${i + 1}">Choose candidate ${i + 1}</button></form></td>`,
      )}</tr>`
    : ''
}</table>
${
  canResolve
    ? html`<form method="post" action="/requests/${d.request.id}/resolve">${csrfField(auth)}
<input type="hidden" name="uln" value=""><p><label>Why none of them is the learner<br><textarea name="note" rows="2" cols="60" required></textarea></label></p>
<button name="reject" value="all">Reject all candidates</button></form>`
    : ''
}</section>`;
}

export function renderRequestDetailPage(o: {
  auth: AuthLocals;
  detail: RequestDetail;
  flash: string | null;
  error: string | null;
}): Html {
  const d = o.detail;
  const r = d.request;
  const canRetry = (RETRYABLE_STATUSES as readonly string[]).includes(r.status);
  const canCancel = (CANCELLABLE_STATUSES as readonly string[]).includes(r.status);
  const body = html`
<table>
<tr><th>Organisation</th><td>${r.organisation}</td></tr>
<tr><th>Kind</th><td>${kindLabel(r.kind)} (${MODE_LABELS[r.mode] ?? r.mode})</td></tr>
<tr><th>Status</th><td>${statusCell(r.status)}</td></tr>
<tr><th>Code</th><td>${codeCell(r.code, d.code?.meaning)}</td></tr>
<tr><th>Attempts</th><td>${r.attempts}</td></tr>
<tr><th>MIS learner id</th><td>${r.misLearnerId === null ? html`<span class="muted">hidden: not one of your organisations</span>` : html`<a href="${learnerHref(r.organisationId, r.misLearnerId)}">${r.misLearnerId}</a> <span class="muted">(every request for this learner)</span>`}</td></tr>
<tr><th>Requested by</th><td>${r.requestedBy}</td></tr>
${r.batchId ? html`<tr><th>Batch</th><td>${r.batchId}</td></tr>` : ''}
${r.lastError ? html`<tr><th>Last error</th><td>${r.lastError}</td></tr>` : ''}
${r.lastErrorHidden ? html`<tr><th>Last error</th><td>${hiddenTextCell(r.code)}</td></tr>` : ''}
${r.staffNote ? html`<tr><th>Staff note</th><td class="staff-note">${r.staffNote}</td></tr>` : ''}
<tr><th>Created</th><td>${formatTime(r.createdAt)}</td></tr><tr><th>Updated</th><td>${formatTime(r.updatedAt)}</td></tr>
${r.completedAt ? html`<tr><th>Completed</th><td>${formatTime(r.completedAt)}</td></tr>` : ''}
</table>
${d.code?.resolution ? html`<div class="note resolution"><strong>What to do:</strong> ${d.code.resolution}</div>` : r.code ? html`<p class="muted">Code ${r.code} is not in the catalogue.</p>` : ''}
<p>${canRetry ? html`<form class="inline" method="post" action="/requests/${r.id}/retry">${csrfField(o.auth)}<button>Retry</button></form>` : ''}
${canCancel ? html` <form class="inline" method="post" action="/requests/${r.id}/cancel">${csrfField(o.auth)}<button>Cancel</button></form>` : ''}</p>
${renderMatch(o.auth, d)}
<h2>Outcome</h2>
${
  d.outcome
    ? html`<table>
<tr><th>Code</th><td>${codeCell(d.outcome.code)} <span class="muted">(${d.outcome.codeSource === 'lrs' ? 'from the LRS' : 'from lrs-relay'}, ${d.outcome.class})</span></td></tr>
${d.outcome.uln ? html`<tr><th>ULN</th><td>${d.outcome.uln}</td></tr>` : ''}
${d.outcome.masterUln ? html`<tr><th>Master ULN</th><td>${d.outcome.masterUln}</td></tr>` : ''}
${d.outcome.linkedUlns?.length ? html`<tr><th>Linked ULNs</th><td>${d.outcome.linkedUlns.join(', ')}</td></tr>` : ''}
${d.outcome.failureFlags?.length ? html`<tr><th>Failure flags</th><td>${d.outcome.failureFlags.join(', ')}</td></tr>` : ''}
${d.outcome.description ? html`<tr><th>Description</th><td>${d.outcome.description}</td></tr>` : ''}
${d.outcome.descriptionHidden ? html`<tr><th>Description</th><td>${hiddenTextCell(d.outcome.code)}</td></tr>` : ''}
</table>
${renderFieldProblems(d)}`
    : html`<p class="muted">No outcome yet.</p>`
}
<h2>Attempts and audit</h2>
${
  d.audit.length === 0
    ? html`<p class="muted">No calls recorded yet.</p>`
    : html`<table><tr><th>When</th><th>Operation</th><th>Attempt</th><th>Code</th><th>HTTP</th><th class="num">ms</th><th>User</th></tr>
${d.audit.map((a) => html`<tr><td>${formatTime(a.createdAt)}</td><td>${a.operation}</td><td>${a.attempt ?? ''}</td><td>${codeCell(a.code)} <span class="muted">${a.codeSource}</span></td><td>${a.httpStatus ?? ''}</td><td class="num">${a.durationMs}</td><td>${a.userName}</td></tr>`)}</table>`
}
${d.personalData && d.request.payload ? html`<details><summary>Learner details sent</summary>${renderPayload(d.request.payload)}</details>` : ''}`;
  return renderPage({ title: `Request ${r.id}`, auth: o.auth, body, flash: o.flash, error: o.error });
}
