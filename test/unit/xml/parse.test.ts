import { describe, expect, it } from 'vitest';
import { parseXml, type XmlElement } from '../../../src/xml/parse.ts';
import { XmlError, type XmlErrorKind } from '../../../src/xml/xml-error.ts';

/** The refusal parseXml throws for `xml` (fails the test when it parses). */
function refusal(xml: string, limits?: Parameters<typeof parseXml>[1]): XmlError {
  try {
    parseXml(xml, limits);
  } catch (e) {
    if (e instanceof XmlError) return e;
    throw e;
  }
  throw new Error(`expected a refusal for ${xml.slice(0, 80)}`);
}

function expectRefused(xml: string, kind: XmlErrorKind, reason: RegExp): XmlError {
  const e = refusal(xml);
  expect(e.kind).toBe(kind);
  expect(e.reason).toMatch(reason);
  expect(e.message).toBe(`${e.reason} (line ${e.line}, column ${e.column})`);
  return e;
}

const only = (el: XmlElement | undefined, i = 0): XmlElement => {
  const c = el?.children[i];
  if (!c) throw new Error(`no child ${i}`);
  return c;
};

describe('parseXml: well-formed documents', () => {
  it('splits prefixed names and keeps declarations as attributes (namespaces are the caller’s)', () => {
    const root = parseXml(
      '<s:Envelope xmlns:s="urn:s" xmlns="urn:default"><s:Body><m:Find xmlns:m="urn:m"><ULN>1</ULN></m:Find></s:Body></s:Envelope>',
    );
    expect(root).toMatchObject({ qname: 's:Envelope', prefix: 's', name: 'Envelope' });
    expect(root.attributes).toEqual([
      { qname: 'xmlns:s', prefix: 'xmlns', name: 's', value: 'urn:s' },
      { qname: 'xmlns', prefix: '', name: 'xmlns', value: 'urn:default' },
    ]);
    const find = only(only(root));
    expect(find).toMatchObject({ qname: 'm:Find', prefix: 'm', name: 'Find' });
    expect(only(find)).toMatchObject({ qname: 'ULN', prefix: '', name: 'ULN', text: '1', children: [] });
  });

  it('keeps children in document order, repeated names included', () => {
    const root = parseXml('<r><a>1</a><b/><a>2</a></r>');
    expect(root.children.map((c) => `${c.name}=${c.text}`)).toEqual(['a=1', 'b=', 'a=2']);
  });

  it('reads both quote styles, white space around =, and references in attribute values', () => {
    const root = parseXml(`<a x = "it's" y='say "hi"' z="&lt;&amp;&gt;&quot;&apos;&#65;&#x42;"/>`);
    expect(Object.fromEntries(root.attributes.map((a) => [a.qname, a.value]))).toEqual({
      x: "it's",
      y: 'say "hi"',
      z: `<&>"'AB`,
    });
  });

  it('decodes entity and character references in text, keeping white space exactly', () => {
    const root = parseXml('<a>  O&apos;Brien &amp; Co &#x1F600;&#169; </a>');
    expect(root.text).toBe("  O'Brien & Co 😀© ");
  });

  it('never decodes twice: &amp;#65; is the text &#65;', () => {
    expect(parseXml('<a>&amp;#65;&amp;amp;</a>').text).toBe('&#65;&amp;');
  });

  it('reads CDATA as literal text, markup and references included', () => {
    expect(parseXml('<a>x<![CDATA[<b>&amp;</b>]]>y<![CDATA[]]></a>').text).toBe('x<b>&amp;</b>y');
  });

  it('skips comments and processing instructions, inside and outside the root', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="utf-8"?>\n<!-- before --><?pi data?>\n<a>1<!-- in - side -->2<?target x?>3<b/></a><!---->\n<?after?>',
    );
    expect(root.text).toBe('123');
    expect(root.children.map((c) => c.name)).toEqual(['b']);
  });

  it('allows a byte-order mark before the XML declaration', () => {
    expect(parseXml('\uFEFF<?xml version="1.0"?><a>t</a>').text).toBe('t');
  });

  it('reads self-closing and empty elements alike, with or without white space before />', () => {
    const root = parseXml('<r><a/><b></b><c   /><d x="1" /></r>');
    expect(root.children.map((c) => [c.name, c.text, c.children.length])).toEqual([
      ['a', '', 0],
      ['b', '', 0],
      ['c', '', 0],
      ['d', '', 0],
    ]);
  });

  it('keeps an element’s own text (indentation included) and not its children’s', () => {
    const root = parseXml('<r>\n  <a> x </a>\n  tail\n</r>\n\n');
    expect(root.text).toBe('\n  \n  tail\n');
    expect(only(root).text).toBe(' x ');
  });

  it('normalises line ends to \\n but keeps a &#13; reference', () => {
    expect(parseXml('<a>1\r\n2\r3&#13;4</a>').text).toBe('1\n2\n3\r4');
    expect(parseXml('<a v="1\r\n2\t3&#10;4"/>').attributes[0]?.value).toBe('1 2 3\n4');
  });

  it('accepts white space in closing tags, names with . - _ digits and non-ASCII letters', () => {
    const root = parseXml('<a.b-c_1 é="1"><Prénom>x</Prénom ></a.b-c_1\n>');
    expect(root.name).toBe('a.b-c_1');
    expect(only(root)).toMatchObject({ name: 'Prénom', text: 'x' });
  });

  it('reads nesting up to the depth limit and many attributes up to the attribute limit', () => {
    const deep = '<a>'.repeat(128) + '</a>'.repeat(128);
    expect(parseXml(deep).name).toBe('a');
    const attrs = Array.from({ length: 64 }, (_, i) => ` a${i}="${i}"`).join('');
    expect(parseXml(`<a${attrs}/>`).attributes).toHaveLength(64);
  });
});

describe('parseXml: refusals', () => {
  it('mismatched, unclosed and unopened tags', () => {
    const e = expectRefused('<a>\n  <b></a>', 'malformed', /Closing tag 'a' does not match opening tag 'b'/);
    expect(e.message).toBe(
      "Closing tag 'a' does not match opening tag 'b' (opened at line 2, column 3). (line 2, column 6)",
    );
    const unclosed = expectRefused(
      '<a><b></b>',
      'malformed',
      /Element 'a' \(opened at line 1, column 1\) is not closed/,
    );
    expect([unclosed.line, unclosed.column]).toEqual([1, 11]);
    expectRefused('<a></a></b>', 'malformed', /Closing tag 'b' has no opening tag/);
    expectRefused('<p:a></q:a>', 'malformed', /does not match/);
    expectRefused('<ab></a>', 'malformed', /does not match/);
  });

  it('two roots, text before or after the root, no root at all', () => {
    expectRefused('<a/><b/>', 'malformed', /Only one root element/);
    expectRefused('<a/>text', 'malformed', /Text after the root/);
    expectRefused('text<a/>', 'malformed', /Text before the root/);
    expectRefused('<a/>&amp;', 'malformed', /Text after the root/);
    expectRefused('  <!-- only a comment -->  ', 'malformed', /Root element is missing/);
    expectRefused('', 'malformed', /Root element is missing/);
    expectRefused('<a/><![CDATA[x]]>', 'malformed', /CDATA section outside the root/);
  });

  it('a bare & or an unknown entity, in text and in attributes', () => {
    expectRefused('<a>fish & chips</a>', 'malformed', /'&' must begin an entity or character reference/);
    expectRefused('<a>&amp</a>', 'malformed', /'&' must begin/);
    expectRefused('<a>&nbsp;</a>', 'malformed', /Entity '&nbsp;' is not defined/);
    expectRefused('<a x="&foo;"/>', 'malformed', /Entity '&foo;' is not defined/);
    expectRefused('<a x="R&D"/>', 'malformed', /'&' must begin/);
  });

  it('character references that are not XML characters or not numbers', () => {
    expectRefused('<a>&#0;</a>', 'malformed', /character XML does not allow/);
    expectRefused('<a>&#x1;</a>', 'malformed', /character XML does not allow/);
    expectRefused('<a>&#xD800;</a>', 'malformed', /character XML does not allow/);
    expectRefused('<a>&#x110000;</a>', 'malformed', /not a valid character reference/);
    expectRefused('<a>&#99999999999999999999;</a>', 'malformed', /not a valid character reference/);
    expectRefused('<a>&#x;</a>', 'malformed', /not a valid character reference/);
    expectRefused('<a>&#12a;</a>', 'malformed', /not a valid character reference/);
    expectRefused('<a>&#X41;</a>', 'malformed', /not a valid character reference/);
  });

  it('control characters XML does not allow, even unescaped', () => {
    expectRefused('<a>\u0001</a>', 'malformed', /Character U\+0001 is not allowed/);
  });

  it('< in an attribute value, repeated attributes, unquoted or unterminated values', () => {
    expectRefused('<a x="1<2"/>', 'malformed', /'<' is not allowed in the value of attribute 'x'/);
    expectRefused('<a x="1" x="2"/>', 'malformed', /Attribute 'x' is repeated/);
    expectRefused('<a x=1/>', 'malformed', /must be quoted/);
    expectRefused('<a x/>', 'malformed', /Attribute 'x' has no value/);
    expectRefused('<a x="1/>', 'malformed', /not terminated/);
    expectRefused('<a x="1"y="2"/>', 'malformed', /must be separated by white space/);
  });

  it('unterminated comments, CDATA sections, tags and processing instructions', () => {
    expectRefused('<a><!-- never closed</a>', 'malformed', /Comment is not terminated/);
    expectRefused('<a><![CDATA[never closed</a>', 'malformed', /CDATA section is not terminated/);
    expectRefused('<a', 'malformed', /Start tag 'a' is not terminated/);
    expectRefused('<a x="1"', 'malformed', /Start tag 'a' is not terminated/);
    expectRefused('<a></a', 'malformed', /Closing tag 'a' is not terminated/);
    expectRefused('<a><?pi never closed</a>', 'malformed', /Processing instruction is not terminated/);
    expectRefused('<a>text ]]> more</a>', 'malformed', /']]>' is not allowed in text/);
  });

  it('-- inside a comment', () => {
    expectRefused('<a><!-- a -- b --></a>', 'malformed', /'--' is not allowed inside a comment/);
    expectRefused('<a><!-- ends badly ---></a>', 'malformed', /'--' is not allowed inside a comment/);
  });

  it('an XML declaration anywhere but the start', () => {
    expectRefused(' <?xml version="1.0"?><a/>', 'malformed', /XML declaration is allowed only at the start/);
    expectRefused(
      '<a><?xml version="1.0"?></a>',
      'malformed',
      /XML declaration is allowed only at the start/,
    );
  });

  it('invalid names', () => {
    expectRefused('<1a/>', 'malformed', /Invalid element name/);
    expectRefused('<-a/>', 'malformed', /Invalid element name/);
    expectRefused('<.a/>', 'malformed', /Invalid element name/);
    expectRefused('< a/>', 'malformed', /Invalid element name/);
    expectRefused('<a 1x="1"/>', 'malformed', /Unexpected character '1'/);
    expectRefused('<a:b:c/>', 'malformed', /'a:b:c' is not a valid qualified name/);
    expectRefused('<:a/>', 'malformed', /not a valid qualified name/);
    expectRefused('<a: />', 'malformed', /not a valid qualified name/);
    expectRefused('<a></ a>', 'malformed', /Invalid closing tag name/);
  });

  it('a DOCTYPE, with or without an internal subset, and any other DTD markup', () => {
    expectRefused('<!DOCTYPE a><a/>', 'doctype', /DOCTYPE and entity declarations are refused/);
    expectRefused(
      '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
      'doctype',
      /refused/,
    );
    expectRefused('<!doctype html><html/>', 'doctype', /refused/);
    expectRefused('<a><!ENTITY x "y"></a>', 'doctype', /refused/);
    expectRefused('<a><!ELEMENT a ANY></a>', 'doctype', /refused/);
    expectRefused('<a><!FOO></a>', 'malformed', /Unexpected markup '<!FOO'/);
  });

  it('billion laughs: refused at the DOCTYPE, before any entity could be expanded', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      '  <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    const started = performance.now();
    const e = expectRefused(lol, 'doctype', /refused/);
    expect(performance.now() - started).toBeLessThan(50);
    expect([e.line, e.column]).toEqual([2, 1]);
  });

  it('very deep nesting: a limit error, not a stack overflow', () => {
    const depth = 100_000;
    const e = refusal('<a>'.repeat(depth) + '</a>'.repeat(depth));
    expect(e.kind).toBe('limit');
    expect(e.reason).toMatch(/nested deeper than 128 levels/);
    expect(refusal('<a><b/></a>', { maxDepth: 1 }).kind).toBe('limit');
  });

  it('a huge attribute count: a limit error, found quickly', () => {
    const attrs = Array.from({ length: 20_000 }, (_, i) => ` a${i}="${i}"`).join('');
    const started = performance.now();
    const e = refusal(`<a${attrs}/>`);
    expect(performance.now() - started).toBeLessThan(200);
    expect(e.kind).toBe('limit');
    expect(e.reason).toMatch(/more than 64 attributes/);
  });

  it('hostile input stays linear: many unterminated references and long runs of markup characters', () => {
    const started = performance.now();
    expect(refusal(`<a>${'&'.repeat(200_000)}</a>`).kind).toBe('malformed');
    expect(refusal(`<a>${'&#'.repeat(100_000)};</a>`).kind).toBe('malformed');
    expect(refusal(`<a x="${'<'.repeat(200_000)}"/>`).kind).toBe('malformed');
    expect(refusal(`${'<a>'.repeat(100)}${']'.repeat(200_000)}`).kind).toBe('malformed');
    expect(refusal(`<a>${'<!-'.repeat(100_000)}</a>`).kind).toBe('malformed');
    expect(parseXml(`<a>${'<b/>&amp;'.repeat(50_000)}</a>`).children).toHaveLength(50_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
