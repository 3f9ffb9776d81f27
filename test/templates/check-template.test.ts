import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenNames } from '../../src/catalog/index.ts';
import { ApiError } from '../../src/errors.ts';
import { checkTemplate } from '../../src/templates/index.ts';

const INVOICE_EMAIL = tokenNames('invoice.posted', 'email');

/** Asserts a 422 on `field` whose message matches every pattern. */
const refuses = (source: string, field: string, ...patterns: RegExp[]): ApiError => {
  let caught: unknown;
  assert.throws(
    () => checkTemplate(source, INVOICE_EMAIL, field, 'invoice.posted'),
    (e) => {
      caught = e;
      return true;
    },
  );
  assert.ok(caught instanceof ApiError, String(caught));
  assert.equal(caught.status, 422);
  assert.equal(caught.field, field);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
};

describe('template check', () => {
  test('accepts tokens the type carries, comments and if/unless/else blocks', () => {
    checkTemplate(
      'Invoice {{invoice.number}} for {{account.name}} is due {{invoice.dueDate}}.' +
        '{{!-- a note --}}{{#if contact.name}}Dear {{contact.name}}{{else}}Hello{{/if}}' +
        '{{#unless account.balance}}Nothing owed.{{/unless}}' +
        '{{#if invoice.balance}}a{{else if account.status}}b{{else}}c{{/if}}{{~invoice.total~}}',
      INVOICE_EMAIL,
      'html',
      'invoice.posted',
    );
  });

  test('refuses a token the type does not carry, naming it and listing those available', () => {
    const error = refuses(
      'Your {{service.name}} invoice',
      'subject',
      /^subject uses token \{\{service\.name\}\}, which invoice\.posted does not carry; /,
      /; available: event\.id, /,
      /invoice\.dueDate/,
      /contact\.email/,
    );
    assert.equal(error.code, 'unknown_token');
  });

  test('refuses an unknown token inside an if block and in its condition', () => {
    refuses('{{#if invoice.total}}{{sim.iccid}}{{/if}}', 'html', /\{\{sim\.iccid\}\}/);
    refuses('{{#if usage.used}}x{{/if}}', 'html', /\{\{usage\.used\}\}/);
    refuses('{{#if invoice.total}}x{{else}}{{refund.amount}}{{/if}}', 'html', /refund\.amount/);
  });

  test('names the line of an unknown token in a multi-line body', () => {
    refuses('<p>Hello</p>\n<p>{{invoice.totl}}</p>', 'html', /\{\{invoice\.totl\}\} \(line 2\)/);
  });

  test('without an event type, says the token is not available here', () => {
    assert.throws(
      () => checkTemplate('{{sim.iccid}}', ['event.id'], 'parameters[0].value'),
      /available: event\.id$/,
    );
    assert.throws(
      () => checkTemplate('{{sim.iccid}}', ['event.id'], 'parameters[0].value'),
      /parameters\[0\]\.value uses token \{\{sim\.iccid\}\}, which is not available here; /,
    );
  });

  test("refuses a syntax error with the parser's reason", () => {
    const error = refuses(
      'Due {{invoice.dueDate',
      'subject',
      /^subject is not a valid template: Parse error on line 1/,
      /Expecting/,
    );
    assert.equal(error.code, 'invalid_template');
    assert.ok(!error.message.includes('\n'), error.message);
    refuses('{{#if invoice.total}}open', 'html', /not a valid template/);
  });

  test('refuses triple-stash and ampersand output so escaping cannot be bypassed', () => {
    refuses('{{{invoice.number}}}', 'html', /unescaped output/, /write \{\{invoice\.number\}\}/);
    refuses('{{& invoice.number}}', 'html', /unescaped output/);
  });

  test('refuses helpers, other blocks, partials and decorators', () => {
    refuses('{{lookup invoice "total"}}', 'html', /helper call \{\{lookup \.\.\.\}\}/);
    refuses('{{invoice.total "x"}}', 'html', /helper call/);
    refuses('{{#each invoice}}{{this}}{{/each}}', 'html', /block \{\{#each\}\}/);
    refuses('{{#with invoice}}{{total}}{{/with}}', 'html', /block \{\{#with\}\}/);
    refuses('{{#invoice.total}}x{{/invoice.total}}', 'html', /block/);
    refuses('{{#if invoice.total account.name}}x{{/if}}', 'html', /other than one token/);
    refuses('{{#if (lookup invoice "x")}}x{{/if}}', 'html', /where a token belongs/);
    refuses('{{> footer}}', 'html', /partial/);
    refuses('{{#> layout}}x{{/layout}}', 'html', /partial/);
    refuses('{{#*inline "x"}}y{{/inline}}', 'html', /decorator/);
  });

  test('refuses this, parent and data paths', () => {
    refuses('{{this.invoice.total}}', 'html', /path \{\{this\.invoice\.total\}\}/);
    refuses('{{this}}', 'html', /\{\{this\}\}/);
    refuses('{{../invoice.total}}', 'html', /path/);
    refuses('{{@root.invoice.total}}', 'html', /path/);
    refuses('{{invoice/total}}', 'html', /path/);
    refuses('{{invoice}}', 'html', /token \{\{invoice\}\}/);
  });

  test('refuses a template that is not a string', () => {
    assert.throws(
      () => checkTemplate(42 as unknown as string, INVOICE_EMAIL, 'subject'),
      /subject must be a string template \(got number\)/,
    );
  });
});
