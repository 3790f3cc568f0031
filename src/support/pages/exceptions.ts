import { explainCode } from '../../codes/table.ts';
import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import type { ExceptionGroup } from '../queries.ts';
import { csrfField, formatTime, renderPage, statusCell } from './layout.ts';

export function renderExceptionsPage(o: {
  auth: AuthLocals;
  groups: ExceptionGroup[];
  flash: string | null;
}): Html {
  const body =
    o.groups.length === 0
      ? html`<p>No requests need action and none have failed. Nothing to do.</p>`
      : html`<p>Requests that need a person (needs_action) or that ran out of retries (failed), grouped by code.</p>
${o.groups.map((g) => {
  const list = `/requests?status=${encodeURIComponent(g.status)}&code=${encodeURIComponent(g.code)}`;
  return html`<section class="exception" data-code="${g.code}" data-status="${g.status}">
<h2><code>${g.code}</code> · ${statusCell(g.status)} · <a href="${list}">${g.count} request${g.count === 1 ? '' : 's'}</a></h2>
${g.meaning ? html`<p><strong>Meaning:</strong> ${g.meaning}${g.class ? html` <span class="muted">(class ${g.class}, retry ${g.retry})</span>` : ''}</p>` : html`<p class="muted">This code is not in the catalogue: it is shown exactly as it was recorded.</p>`}
${g.resolution ? html`<div class="note resolution"><strong>What to do:</strong> ${g.resolution}</div>` : ''}
<p class="muted">Oldest ${formatTime(g.oldest)}, newest ${formatTime(g.newest)}${g.organisations > 1 ? html`, ${g.organisations} organisations` : ''}.</p>
${
  explainCode(g.code).sameAnswerOnRetry
    ? html`<p class="note">No "Retry all" here: a retry sends the same details again and the LRS matches them the same way, so it can only bring the same answer. Open each request to choose a candidate or reject them all, or correct or add details in the MIS, which sends a new request.</p>`
    : html`<form class="inline" method="post" action="/exceptions/retry">${csrfField(o.auth)}
  <input type="hidden" name="status" value="${g.status}"><input type="hidden" name="code" value="${g.code}">
  <button title="Sends each request to the LRS again as it is">Retry all ${g.count}</button></form>`
}
<form class="inline" method="post" action="/exceptions/cancel">${csrfField(o.auth)}
  <input type="hidden" name="status" value="${g.status}"><input type="hidden" name="code" value="${g.code}">
  <button>Cancel all ${g.count}</button></form>
</section>`;
})}`;
  return renderPage({ title: 'Exceptions', auth: o.auth, body, flash: o.flash });
}
