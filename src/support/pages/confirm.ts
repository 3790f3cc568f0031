/**
 * The step between a button that acts on many requests (or settles a learner's identity) and the
 * change itself: what will happen, to how many, and whether it can be undone. The form repeats the
 * fields it was given with confirm=yes; "No" goes back without changing anything.
 */
import { html, type Html } from '../html.ts';
import type { AuthLocals } from '../http-auth.ts';
import { csrfField, renderPage } from './layout.ts';

export function renderConfirmPage(o: {
  auth: AuthLocals;
  title: string;
  /** What will happen, in a sentence or two. */
  what: Html;
  /** Whether and how it can be undone. */
  undo: string;
  action: string;
  fields: Readonly<Record<string, string>>;
  button: string;
  back: string;
  /** Why the page is shown again (e.g. the number changed since the button was pressed). */
  notice?: string | null;
}): Html {
  const body = html`<div class="confirm" role="group" aria-labelledby="confirm-what">
<p id="confirm-what">${o.what}</p>
<p class="muted">${o.undo}</p>
<form method="post" action="${o.action}">${csrfField(o.auth)}${Object.entries(o.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<input type="hidden" name="confirm" value="yes">
<button class="danger" autofocus>${o.button}</button> <a href="${o.back}">No, go back</a></form></div>`;
  return renderPage({ title: o.title, auth: o.auth, body, error: o.notice ?? null });
}
