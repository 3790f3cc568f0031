import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { batchKindLabel, batchStatusLabel } from '../labels.ts';
import type { BatchRow } from '../queries.ts';
import { codeCell, formatTime, hiddenTextCell, renderPage } from './layout.ts';

export function renderBatchesPage(o: { auth: AuthLocals; rows: BatchRow[] }): Html {
  const body =
    o.rows.length === 0
      ? html`<p class="muted">No batches yet.</p>`
      : html`<table><tr><th>Id</th><th>Organisation</th><th>Kind</th><th>Status</th><th>LRS job</th><th class="num">Records</th><th class="num">Polls</th><th>Last code</th><th>Created</th><th>Submitted</th><th>Completed</th><th>Requests</th></tr>
${o.rows.map(
  (
    b,
  ) => html`<tr><td>${b.id}</td><td>${b.organisation}</td><td>${batchKindLabel(b.kind)}${b.jobType ? ` (${b.jobType})` : ''}</td><td data-status="${b.status}">${batchStatusLabel(b.status)}</td>
<td>${b.lrsJobId ?? ''}</td><td class="num">${b.recordCount}</td><td class="num">${b.polls}</td><td>${codeCell(b.lastCode)}${b.lastError ? html`<br><span class="muted">${b.lastError}</span>` : ''}${b.lastErrorHidden ? html`<br>${hiddenTextCell(b.lastCode)}` : ''}</td>
<td>${formatTime(b.createdAt)}</td><td>${formatTime(b.submittedAt)}</td><td>${formatTime(b.completedAt)}</td><td><a href="/requests?batch=${b.id}">requests</a></td></tr>`,
)}</table>`;
  return renderPage({ title: 'Batches', auth: o.auth, body });
}
