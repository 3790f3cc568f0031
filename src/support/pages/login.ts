import { html, type Html } from '../html.ts';
import { renderPage } from './layout.ts';

export function renderLoginPage(o: { csrf: string; next: string; error: string | null }): Html {
  return renderPage({
    title: 'Log in',
    auth: null,
    error: o.error,
    body: html`<form method="post" action="/login">
  <input type="hidden" name="_csrf" value="${o.csrf}"><input type="hidden" name="next" value="${o.next}">
  <p><label>Username<br><input name="username" autocomplete="username" required autofocus></label></p>
  <p><label>Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>
  <p><button type="submit">Log in</button></p>
</form>`,
  });
}
