import { explainCode } from '../../codes/table.ts';
import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import type { ExceptionGroup } from '../queries.ts';
import { CANCELLABLE_STATUSES, RETRYABLE_STATUSES } from '../actions.ts';
import { openOverTime, type Buckets, type OpenedExceptions } from '../overview.ts';
import { statusLabel } from '../labels.ts';
import { renderSparkline } from './charts.ts';
import { csrfField, formatTime, renderPage, statusCell } from './layout.ts';

const includes = (list: readonly string[], v: string) => list.includes(v);

/**
 * The buttons a group gets: only those that can help. Retry when the status allows it and a retry can
 * bring a different answer; Cancel when the status allows it. Each leads to a confirmation first.
 */
function groupActions(o: { auth: AuthLocals; g: ExceptionGroup }): Html {
  const { g } = o;
  const info = explainCode(g.code);
  const fields = html`${csrfField(o.auth)}<input type="hidden" name="status" value="${g.status}"><input type="hidden" name="code" value="${g.code}"><input type="hidden" name="expected" value="${g.count}">`;
  const retry =
    includes(RETRYABLE_STATUSES, g.status) && !info.sameAnswerOnRetry && g.status !== 'rejected'
      ? html`<form class="inline" method="post" action="/exceptions/retry">${fields}<button title="Asks first; sends each request to the LRS again as it is">Retry all ${g.count}…</button></form>`
      : '';
  const cancel = includes(CANCELLABLE_STATUSES, g.status)
    ? html`<form class="inline" method="post" action="/exceptions/cancel">${fields}<button title="Asks first; can be undone for a while">Cancel all ${g.count}…</button></form>`
    : '';
  const why = info.sameAnswerOnRetry
    ? html`<p class="note">No "Retry all" here: a retry sends the same details again and the LRS matches them the same way, so it can only bring the same answer. Open each request to choose a candidate or reject them all, or correct or add details in the MIS, which sends a new request.</p>`
    : g.status === 'rejected'
      ? html`<p class="note">No buttons here: these were refused before they reached the LRS, and sending the same details again would be refused the same way. Correct each learner in the MIS, which sends a new request.</p>`
      : '';
  return html`${why}${retry} ${cancel}`;
}

/** How many of the group's requests were open over the last 7 days (those open now, from when each opened). */
function renderTrend(g: ExceptionGroup, trend: ExceptionTrend | undefined): Html {
  if (!trend) return html``;
  const values = openOverTime(
    trend.rows.filter((r) => r.status === g.status && r.code === g.code),
    trend.buckets.count,
  );
  return html`<p class="trend">Open over the last 7 days: ${renderSparkline({ values, title: `${g.code}, ${statusLabel(g.status)}, open over the last 7 days`, from: '7 days ago' })}</p>`;
}

export interface ExceptionTrend {
  buckets: Buckets;
  rows: OpenedExceptions[];
}

export function renderExceptionsPage(o: {
  auth: AuthLocals;
  groups: ExceptionGroup[];
  /** The exceptions open now by when they opened, over the last 7 days: a sparkline per group. */
  trend?: ExceptionTrend | undefined;
  flash: string | null;
  /** A bulk cancel this member of staff can still undo. */
  undo?: number | null;
}): Html {
  const undo =
    o.undo === null || o.undo === undefined
      ? ''
      : html`<form method="post" action="/actions/${o.undo}/undo" class="undo">${csrfField(o.auth)}<button>Undo this cancel</button></form>`;
  const body =
    o.groups.length === 0
      ? html`${undo}<p>Nothing needs a person: no request needs action, failed or was rejected.</p>`
      : html`${undo}<p>Everything a person must act on, most urgent first: configuration problems, then requests that ran out of retries (failed), then those that need a decision (needs action), then those refused before they were sent (rejected), which are corrected in the MIS.</p>
<nav aria-label="Exception groups"><ul class="toc">${o.groups.map(
          (g) =>
            html`<li><a href="#g-${g.status}-${g.code}">${g.code}</a> ${statusCell(g.status)} ${g.count}</li>`,
        )}</ul></nav>
${o.groups.map((g) => {
  const list = `/requests?status=${encodeURIComponent(g.status)}&code=${encodeURIComponent(g.code)}`;
  return html`<section class="exception" id="g-${g.status}-${g.code}" data-code="${g.code}" data-status="${g.status}">
<h2><code>${g.code}</code> · ${statusCell(g.status)} · <a href="${list}">${g.count} request${g.count === 1 ? '' : 's'}</a></h2>
${g.meaning ? html`<p><strong>Meaning:</strong> ${g.meaning}${g.class ? html` <span class="muted">(class ${g.class}, retry ${g.retry})</span>` : ''}</p>` : html`<p class="muted">This code is not in the catalogue: it is shown exactly as it was recorded.</p>`}
${g.resolution ? html`<div class="note resolution"><strong>What to do:</strong> ${g.resolution}</div>` : ''}
<p class="muted">Oldest ${formatTime(g.oldest)}, newest ${formatTime(g.newest)}${g.organisations > 1 ? html`, ${g.organisations} organisations` : ''}.</p>
${renderTrend(g, o.trend)}
${groupActions({ auth: o.auth, g })}
</section>`;
})}`;
  return renderPage({ title: 'Exceptions', auth: o.auth, body, flash: o.flash });
}
