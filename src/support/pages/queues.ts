/**
 * /queues: each queue the viewer may see, the organisation it serves, its jobs by state, whether it is
 * paused and how long its oldest waiting job has waited. Server-rendered like every page (no script), on
 * either queue backend; bull-board, a third-party job browser, is linked from here on Redis.
 */
import { QUEUES, type QueueBackendKind } from '../../queues/catalogue.ts';
import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { formatAge } from '../labels.ts';
import type { QueueStateRow } from '../queue-depths.ts';
import { formatTime, renderPage } from './layout.ts';

/** Where bull-board is mounted when the queues live in Redis. */
export const BOARD_PATH = '/queues/board';

export function renderQueuesPage(o: {
  auth: AuthLocals;
  backend: QueueBackendKind;
  /** The queues' states, or null when the queue store did not answer. */
  rows: QueueStateRow[] | null;
  /** Why the rows are missing. */
  error: string | null;
  /** The organisation each single-call queue serves (`single-<id>` → `10000001 Demo College`). */
  organisationOf: (queue: string) => string | undefined;
  now: Date;
}): Html {
  const about =
    o.backend === 'postgres'
      ? html`<p class="note">The queues live in Postgres (QUEUE_BACKEND=postgres). bull-board reads Redis only, so it is not
available here; these are the job counts from the queue tables. Requests, their attempts and their outcomes are on the
<a href="/requests">Requests</a> page as usual.</p>`
      : html`<p class="note">Each queue's jobs by state, as the queue store counts them now. Requests, their attempts and their
outcomes are on the <a href="/requests">Requests</a> page. To look at single jobs, <a href="${BOARD_PATH}">open bull-board</a>
(a third-party job browser${o.auth.actor.isAdmin ? '; administrators can retry, promote and remove jobs there' : ', read-only'};
it is not built to the accessibility standard of these pages).</p>`;
  const table =
    o.rows === null
      ? html`<p class="error" role="alert">The queue store did not answer (${o.error ?? 'no answer'}); try again in a moment.</p>`
      : html`<table><caption class="visually-hidden">Queues</caption>
<thead><tr><th>Queue</th><th>Organisation</th><th>State</th><th class="num">Waiting</th><th class="num">Active</th><th class="num">Delayed</th><th class="num">Failed</th><th>Oldest waiting</th></tr></thead>
<tbody>${o.rows.map((q) => renderRow(q, o.organisationOf(q.queue), o.now))}</tbody></table>`;
  return renderPage({ title: 'Queues', auth: o.auth, body: html`${about}${table}` });
}

function renderRow(q: QueueStateRow, organisation: string | undefined, now: Date): Html {
  const state = q.isPaused
    ? html`<span class="org-state org-paused">Paused</span>`
    : html`<span class="org-state org-can_send">Running</span>`;
  const oldest =
    q.oldestWaitingAt === null
      ? html`<span class="muted">nothing waits</span>`
      : html`${formatAge(new Date(q.oldestWaitingAt), now)} <span class="muted">(since ${formatTime(new Date(q.oldestWaitingAt))})</span>`;
  return html`<tr data-queue="${q.queue}"><td>${q.queue}</td><td>${
    organisation
      ? html`<a href="/organisations#organisation-${q.queue.slice(QUEUES.singlePrefix.length)}">${organisation}</a>`
      : html`<span class="muted">all organisations</span>`
  }</td><td>${state}</td><td class="num">${q.waiting}</td><td class="num">${q.active}</td><td class="num">${q.delayed}</td><td class="num">${q.failed}</td><td>${oldest}</td></tr>`;
}
