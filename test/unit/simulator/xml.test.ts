import { describe, expect, it } from 'vitest';
import { createXmlReader, escapeXml } from '../../../src/simulator/xml.ts';

const read = createXmlReader();

describe('XML reader', () => {
  it('resolves namespaces through prefixes and default declarations', () => {
    const r = read('<s:E xmlns:s="urn:s"><s:B><R xmlns="urn:r"><C xmlns="">t</C></R></s:B></s:E>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const root = r.root.children[0]?.children[0];
    expect(root).toMatchObject({ ns: 'urn:r', name: 'R' });
    expect(root?.children[0]).toMatchObject({ ns: '', name: 'C', text: 't' });
  });

  it('refuses any DOCTYPE, so entities are never expanded', () => {
    const r = read('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>');
    expect(r).toMatchObject({ ok: false, reason: 'doctype' });
  });

  it('reports malformed XML and undeclared prefixes', () => {
    expect(read('<a><b></a>')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(read('<p:a/>')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('says what is wrong and where, for the 400 answer', () => {
    expect(read('<a>\n<b></a>')).toMatchObject({
      ok: false,
      reason: 'malformed',
      message:
        "Closing tag 'a' does not match opening tag 'b' (opened at line 2, column 1). (line 2, column 4)",
    });
    expect(read('<p:a/>')).toMatchObject({ message: "The namespace prefix 'p' is not defined." });
    expect(read('<a>fish & chips</a>')).toMatchObject({
      reason: 'malformed',
      message: expect.stringMatching(/'&' must begin/),
    });
  });

  it('refuses absurd nesting as malformed, without overflowing the stack', () => {
    expect(read('<a>'.repeat(50_000) + '</a>'.repeat(50_000))).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/nested deeper/),
    });
  });

  it('decodes predefined entities and character references, keeps trailing spaces', () => {
    const r = read('<a>O&apos;Brien &amp; Co &#x41;&#66; </a>');
    expect(r.ok && r.root.text).toBe("O'Brien & Co AB ");
  });

  it('reads xsi:nil whatever the prefix', () => {
    const r = read('<a xmlns:q="http://www.w3.org/2001/XMLSchema-instance"><b q:nil="true"/></a>');
    expect(r.ok && r.root.children[0]?.nil).toBe(true);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and leaves plain text alone', () => {
    expect(escapeXml('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(escapeXml("O'Brien")).toBe("O'Brien");
  });
});
