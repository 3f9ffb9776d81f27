import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHeader, renderTemplate } from '../../src/templates/index.ts';

const context = {
  account: { name: 'Tom & Jerry <script>alert(1)</script>', balance: 0 },
  invoice: { number: 'INV-1', total: 249.9, paid: false },
};

describe('template rendering', () => {
  test('escapes token values in HTML mode', () => {
    const html = renderTemplate('<p>{{account.name}}</p>', context, 'html');
    assert.equal(html, '<p>Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  test('escapes quotes so a value cannot leave an attribute', () => {
    const html = renderTemplate('<a title="{{x.y}}">', { x: { y: '" onmouseover="bad' } }, 'html');
    assert.equal(html, '<a title="&quot; onmouseover&#x3D;&quot;bad">');
  });

  test('leaves token values as they are in text mode', () => {
    const text = renderTemplate('Hi {{account.name}}', context, 'text');
    assert.equal(text, 'Hi Tom & Jerry <script>alert(1)</script>');
  });

  test('renders missing tokens as empty strings, never undefined', () => {
    for (const mode of ['html', 'text'] as const) {
      const out = renderTemplate('[{{account.number}}][{{service.name}}]', context, mode);
      assert.equal(out, '[][]');
    }
    assert.equal(renderTemplate('[{{a.b}}]', { a: { b: null } }, 'text'), '[]');
  });

  test('renders numbers, zero and false as written', () => {
    const out = renderTemplate(
      '{{invoice.total}} {{account.balance}} {{invoice.paid}}',
      context,
      'text',
    );
    assert.equal(out, '249.9 0 false');
  });

  test('takes the if and else branches by token value', () => {
    const source =
      '{{#if account.number}}n{{else}}none{{/if}}/{{#unless invoice.paid}}due{{/unless}}';
    assert.equal(renderTemplate(source, context, 'text'), 'none/due');
  });

  test('keeps emoji, accented letters and U+2028 intact', () => {
    const value = 'Zoë’s café 🎉 ☕\u2028next line 日本';
    const ctx = { contact: { name: value } };
    assert.equal(renderTemplate('{{contact.name}}', ctx, 'text'), value);
    assert.equal(renderTemplate('¡Hola {{contact.name}}!', ctx, 'html'), `¡Hola ${value}!`);
    assert.equal(renderHeader('{{contact.name}}', ctx), value);
  });

  test('caches by mode, so the same source renders escaped and unescaped', () => {
    const source = '{{account.name}}';
    assert.match(renderTemplate(source, context, 'html'), /&amp;/);
    assert.match(renderTemplate(source, context, 'text'), / & /);
    assert.match(renderTemplate(source, context, 'html'), /&amp;/);
  });

  test('refuses helpers at render time even if a template was never checked', () => {
    assert.throws(() => renderTemplate('{{#each invoice}}x{{/each}}', context, 'text'));
    assert.throws(() => renderTemplate('{{lookup invoice "number"}}', context, 'text'));
  });

  test('does not reach prototype properties', () => {
    assert.equal(renderTemplate('[{{invoice.constructor}}]', context, 'text'), '[]');
  });

  test('collapses CR, LF and other control characters in a header to single spaces', () => {
    const ctx = { invoice: { number: 'INV-1\r\nBcc: victim@example.com\r\n\r\nbody' } };
    const subject = renderHeader('Invoice {{invoice.number}}', ctx);
    assert.equal(subject, 'Invoice INV-1 Bcc: victim@example.com body');
    assert.ok(!/[\r\n]/.test(subject), JSON.stringify(subject));
    assert.equal(renderHeader('a{{x.y}}b', { x: { y: '\t\u0000\u0085\u007f' } }), 'a b');
    assert.equal(renderHeader('  {{x.y}}  ', { x: { y: '\nHi\n' } }), 'Hi');
  });

  test('collapses a line break written in the header template itself', () => {
    assert.equal(renderHeader('Line one\nLine two', {}), 'Line one Line two');
  });
});
