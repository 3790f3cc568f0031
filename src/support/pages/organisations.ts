import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { ORGANISATION_STATES, type OrganisationHealth } from '../organisations.ts';
import { formatTime, renderPage } from './layout.ts';

function certificateCell(g: OrganisationHealth): Html {
  if (!g.hasCertificate) return html`<span class="muted">none</span>`;
  if (g.certificateDaysLeft === null) return html`<span class="muted">not read yet</span>`;
  if (g.certificateDaysLeft < 0)
    return html`<strong>expired</strong> ${formatTime(g.certificateNotAfter).slice(0, 10)}`;
  return html`<span class="cert-days">${g.certificateDaysLeft} days left</span> <span class="muted">(${formatTime(g.certificateNotAfter).slice(0, 10)})</span>`;
}

function errorRate(g: OrganisationHealth): string {
  if (g.callsLastHour === 0) return 'no calls';
  return `${Math.round((g.errorsLastHour / g.callsLastHour) * 100)}% of ${g.callsLastHour}`;
}

export function renderOrganisationsPage(o: { auth: AuthLocals; rows: OrganisationHealth[] }): Html {
  const body = html`<p>Whether each organisation can send to the LRS: its credentials and certificate as the relay loads them, its last answered call, and its work.</p>
<div class="scroll"><table class="organisations"><caption class="visually-hidden">Organisations</caption>
<tr><th scope="col">Organisation</th><th scope="col">State</th><th scope="col">Certificate</th><th scope="col">Last answered call</th><th scope="col">Errors, last hour</th><th scope="col" class="num">Open</th><th scope="col" class="num">Failed</th></tr>
${o.rows.map(
  (
    g,
  ) => html`<tr data-organisation="${g.id}" data-state="${g.state}"><td>${g.ukprn ?? g.organisationRef ?? ''} ${g.name}</td>
<td><span class="org-state org-${g.state}">${ORGANISATION_STATES[g.state]}</span>${g.why ? html`<div class="why">${g.why}</div>` : ''}</td>
<td>${certificateCell(g)}</td><td>${g.lastAnswerAt ? formatTime(g.lastAnswerAt) : html`<span class="muted">never</span>`}</td>
<td>${errorRate(g)}</td><td class="num"><a href="/requests?org=${g.id}">${g.open}</a></td>
<td class="num"><a href="/requests?org=${g.id}&amp;status=failed">${g.failed}</a></td></tr>`,
)}</table></div>`;
  return renderPage({ title: 'Organisations', auth: o.auth, body });
}
