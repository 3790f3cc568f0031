import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { ORGANISATION_STATES, type OrganisationHealth } from '../organisations.ts';
import { csrfField, formatTime, renderPage } from './layout.ts';
import type { OrganisationTestResult } from '../../orgs/test-organisation.ts';
import { CHECK_FAILURES } from '../../orgs/check-credentials.ts';

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

/** What a test found, in the words `lrs-relay orgs test` prints. */
function renderTestResult(r: OrganisationTestResult): Html {
  const c = r.check;
  const warnings = [
    r.certificateWarning ? `The client certificate expires in ${r.certificateDaysLeft} day(s).` : undefined,
    r.wsdl.ok
      ? undefined
      : "The LRS WSDLs differ from lrs-relay's message descriptions or could not be read (`lrs-relay wsdl check` says how); the test does not fail for it.",
  ].filter((w): w is string => w !== undefined);
  return html`<section class="org-test ${r.ok ? 'flash' : 'error'}" role="status" data-ok="${String(r.ok)}" aria-labelledby="org-test-title">
<h2 id="org-test-title">Test of ${r.label}</h2>
<p>learnerByULN at <code>${r.endpoint}</code> as UserName “${r.userName}”:
${
  c.ok
    ? html`<strong>OK</strong>: ${c.summary} in ${c.durationMs} ms.`
    : html`<strong>Failed (${CHECK_FAILURES[c.failure]})</strong>: ${c.summary}.</p><p>What to do: ${c.advice}.`
}</p>
${r.vendorProblem ? html`<p><strong>Failed (vendor id)</strong>: R9 calls are refused: ${r.vendorProblem}.</p>` : ''}
${warnings.length > 0 ? html`<ul class="warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
</section>`;
}

function testButton(auth: AuthLocals, g: OrganisationHealth): Html {
  return html`<form method="post" action="/organisations/${g.id}/test" class="inline">${csrfField(auth)}<button aria-label="Test ${g.name}">Test</button></form>`;
}

export function renderOrganisationsPage(o: {
  auth: AuthLocals;
  rows: OrganisationHealth[];
  /** Administrators may test an organisation (one real LRS call each time). */
  canTest?: boolean;
  /** The test just made. */
  tested?: OrganisationTestResult | null;
  /** The page was opened for a test result that is no longer kept (expired, or another process's). */
  isTestGone?: boolean;
}): Html {
  const canTest = o.canTest === true;
  const body = html`${o.tested ? renderTestResult(o.tested) : ''}${
    o.isTestGone
      ? html`<p class="note" role="status">That test’s result is no longer kept (results stay for 15 minutes, in the dashboard process that ran the test): press Test again to see one.</p>`
      : ''
  }<p>Whether each organisation can send to the LRS: its credentials and certificate as the relay loads them, its last answered call, and its work.${
    canTest
      ? html` Test makes one learnerByULN call with its credentials, as <code>lrs-relay orgs test</code> does.`
      : ''
  }</p>
<div class="scroll"><table class="organisations"><caption class="visually-hidden">Organisations</caption>
<tr><th scope="col">Organisation</th><th scope="col">State</th><th scope="col">Certificate</th><th scope="col">Last answered call</th><th scope="col">Errors, last hour</th><th scope="col" class="num">Open</th><th scope="col" class="num">Failed</th>${canTest ? html`<th scope="col">Check</th>` : ''}</tr>
${o.rows.map(
  (
    g,
  ) => html`<tr data-organisation="${g.id}" data-state="${g.state}" id="organisation-${g.id}"><td>${g.ukprn ?? g.organisationRef ?? ''} ${g.name}</td>
<td><span class="org-state org-${g.state}">${ORGANISATION_STATES[g.state]}</span>${g.why ? html`<div class="why">${g.why}</div>` : ''}</td>
<td>${certificateCell(g)}</td><td>${g.lastAnswerAt ? formatTime(g.lastAnswerAt) : html`<span class="muted">never</span>`}</td>
<td>${errorRate(g)}</td><td class="num"><a href="/requests?org=${g.id}">${g.open}</a></td>
<td class="num"><a href="/requests?org=${g.id}&amp;status=failed">${g.failed}</a></td>${canTest ? html`<td>${testButton(o.auth, g)}</td>` : ''}</tr>`,
)}</table></div>`;
  return renderPage({ title: 'Organisations', auth: o.auth, body });
}
