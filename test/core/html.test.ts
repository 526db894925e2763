import { html, Html, trustedHtml } from '../../lambdas/core/html';

describe('html (escapes every interpolation by default)', () => {
  it.each([
    ['markup', '<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['an ampersand', 'a & b', '<p>a &amp; b</p>'],
    ['an already escaped entity (escaped again: text is text)', '&lt;', '<p>&amp;lt;</p>'],
    ['quotes', `"double" 'single'`, '<p>&quot;double&quot; &#39;single&#39;</p>'],
    ['control characters (removed)', 'a\u0000b\u0007c\u2028d', '<p>abcd</p>'],
    ['line breaks (kept, normalized)', 'a\r\nb', '<p>a\nb</p>'],
  ])('escapes %s', (_name, value, expected) => {
    expect(html`<p>${value}</p>`.value).toBe(expected);
  });

  it('escapes inside attributes, so a value cannot close the attribute', () => {
    expect(html`<a title="${'" onclick="x()'}">x</a>`.value).toBe('<a title="&quot; onclick=&quot;x()">x</a>');
  });

  it('renders numbers and booleans as text, null, undefined and false as nothing', () => {
    expect(html`${3}|${0}|${true}|${null}|${undefined}|${false}`.value).toBe('3|0|true|||');
  });

  it('inserts nested templates and trusted markup as is, and renders arrays item by item', () => {
    const items = ['<a>', 'b&'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b&amp;</li></ul>');
    expect(html`<div>${trustedHtml('<hr>')}${'<hr>'}</div>`.value).toBe('<div><hr>&lt;hr&gt;</div>');
  });

  it('does not trust a string that merely looks like markup, nor an object imitating Html', () => {
    const imitation = { value: '<b>' } as unknown as Html;
    expect(html`${'<b>bold</b>'}`.value).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(html`${imitation}`.value).toBe('[object Object]');
  });

  it('is a string where a string is expected', () => {
    expect(`${html`<p>${'x'}</p>`}`).toBe('<p>x</p>');
  });
});
