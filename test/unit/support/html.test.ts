import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../src/support/html.ts';
import { parseCookies } from '../../../src/support/http-auth.ts';
import { renderPage } from '../../../src/support/pages/layout.ts';

describe('html', () => {
  it('escapes every interpolated value, including inside attributes', () => {
    const evil = `<script>alert("x")</script>' onmouseover='y`;
    const out = html`<p title="${evil}">${evil}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain(`"x"`);
    expect(out).toBe(`<p title="${escapeHtml(evil)}">${escapeHtml(evil)}</p>`);
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
  });

  it('nests fragments and arrays without double escaping; raw is verbatim', () => {
    const items = ['a&b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(html`${raw('<b>')}`.value).toBe('<b>');
  });

  it('escapes the page title and flash text in the layout', () => {
    const page = renderPage({ title: '<i>t</i>', auth: null, body: html``, flash: '<img src=x>' }).value;
    expect(page).not.toContain('<i>t</i>');
    expect(page).not.toContain('<img src=x>');
  });
});

describe('parseCookies', () => {
  it('reads pairs, decodes values and keeps the first of duplicates', () => {
    expect(parseCookies('a=1; lrs_session=abc%3D; a=2; junk; b="q"')).toEqual({
      a: '1',
      lrs_session: 'abc=',
      b: 'q',
    });
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies('bad=%E0%A4%A')).toEqual({ bad: '%E0%A4%A' });
  });
});
