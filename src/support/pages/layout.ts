/** The page frame shared by every dashboard page: navigation, styles, logout form. */
import { html, raw, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { explainCode } from '../../codes/table.ts';
import { LRS_TEXT_HIDDEN } from '../access.ts';
import { statusLabel } from '../labels.ts';

const STYLE = raw(`
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}header .who{margin-left:auto}
main{padding:1rem 1.5rem;max-width:1400px}
table{border-collapse:collapse;background:#fff;margin:.5rem 0 1rem}th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5}.num{text-align:right}.diff{background:#ffe08a;font-weight:600}.muted{color:#667}
.note{background:#eef6ff;border-left:4px solid #3b82f6;padding:.5rem .75rem;margin:.5rem 0;max-width:60rem}
.flash{background:#e8f8ec;border:1px solid #7cc48d;padding:.5rem .75rem}.error{background:#fdecec;border:1px solid #e38b8b;padding:.5rem .75rem}
.status{font-weight:600;padding:0 .3rem;border-radius:3px;white-space:nowrap}
.status-succeeded{color:#05603a;background:#e7f6ec}.status-needs_action{color:#7a2e0e;background:#fef0c7}
.status-failed{color:#912018;background:#fee4e2}.status-rejected{color:#5b2a86;background:#f1e8fb}
.status-cancelled{color:#475467;background:#eaecf0}.status-pending,.status-queued,.status-in_progress,.status-batched,.status-held{color:#1849a9;background:#e6effc}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}form.filters{display:flex;flex-wrap:wrap;gap:.35rem .5rem;align-items:center}
nav.paging{margin:.5rem 0}.org-state{font-weight:600;padding:0 .3rem;border-radius:3px}
.org-can_send{color:#05603a;background:#e7f6ec}.org-broken{color:#912018;background:#fee4e2}.org-disabled{color:#475467;background:#eaecf0}
.org-paused{color:#7a2e0e;background:#fef0c7}ul.health{list-style:none;padding:0}ul.health li{margin:.25rem 0}nav.ranges a{margin-right:.5rem}nav.ranges a.current{font-weight:700;text-decoration:none;border-bottom:3px solid #1f3a5f}
.spark svg{vertical-align:middle;background:#fff;border:1px solid #d5d9e0}details.chart-table{margin:.25rem 0 1rem}
.why{max-width:32rem}
a.skip{position:absolute;left:-999px;top:0;background:#fff;color:#1d2430;padding:.5rem;z-index:10}a.skip:focus{left:.5rem}
:focus-visible{outline:3px solid #b54708;outline-offset:2px}header{flex-wrap:wrap}
@media (max-width:600px){main{padding:.75rem}header{gap:.5rem .75rem}header .who{margin-left:0}
table{display:block;overflow-x:auto;max-width:100%}pre,textarea,input,select{max-width:100%}h1,h2,p,li{overflow-wrap:anywhere}}
svg.chart{background:#fff;border:1px solid #d5d9e0;max-width:100%;height:auto}.legend span{margin-right:.75rem}
form.inline{display:inline}button{cursor:pointer}pre{background:#fff;border:1px solid #d5d9e0;padding:.5rem;overflow:auto;max-width:70rem}
`);

export function renderPage(o: {
  title: string;
  auth: AuthLocals | null;
  body: Html;
  flash?: string | null;
  error?: string | null;
}): Html {
  const nav = o.auth
    ? html`<a href="/">Overview</a><a href="/exceptions">Exceptions</a><a href="/requests">Requests</a><a href="/learner">Learners</a><a href="/organisations">Organisations</a><a href="/batches">Batches</a><a href="/queues">Queues</a>
        <span class="who">${o.auth.session.username}${o.auth.session.isAdmin ? ' (admin)' : ''}
          <form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${o.auth.session.csrfToken}"><button>Log out</button></form></span>`
    : html`<span>lrs-relay</span>`;
  // The empty icon (data:, which the CSP's img-src allows) stops each page asking for /favicon.ico, which
  // the dashboard does not serve: Chromium logged a failed load on every page.
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${o.title} · lrs-relay</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><a class="skip" href="#main">Skip to content</a><header>${nav}</header><main id="main" tabindex="-1"><h1>${o.title}</h1>
${o.flash ? html`<p class="flash" role="status">${o.flash}</p>` : ''}${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
${focusableTables(o.body)}</main></body></html>`;
}

/**
 * On a narrow screen a table scrolls sideways in its own box; a keyboard user must be able to reach it
 * to scroll it, so every table is a tab stop (tabindex="0", its caption or first heading names it).
 */
function focusableTables(body: Html): Html {
  return raw(body.value.replaceAll('<table', '<table tabindex="0"'));
}

/** A hidden CSRF field for a form. */
export function csrfField(auth: AuthLocals): Html {
  return html`<input type="hidden" name="_csrf" value="${auth.session.csrfToken}">`;
}

export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return '';
  const date = d instanceof Date ? d : new Date(d);
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

/** A request's status in words, its colour a second cue beside the text (never the only one). */
export function statusCell(status: string): Html {
  return html`<span class="status status-${status}" data-status="${status}">${statusLabel(status)}</span>`;
}

/** A link to the code's requests plus its meaning, or the code verbatim when the catalogue lacks it. */
/**
 * In place of stored text withheld from this member of staff (canSeeStoredText): the code's meaning from
 * the code table, and why the LRS's own words are not shown.
 */
export function hiddenTextCell(code: string | null): Html {
  return html`${code ? html`${explainCode(code).meaning} ` : ''}<span class="muted lrs-text-hidden">${LRS_TEXT_HIDDEN}</span>`;
}

export function codeCell(code: string | null, meaning?: string | null): Html {
  if (!code) return html`<span class="muted">—</span>`;
  return html`<code>${code}</code>${meaning ? html` <span class="muted">${meaning}</span>` : ''}`;
}
