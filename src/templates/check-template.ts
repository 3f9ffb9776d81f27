/**
 * Save-time checking of a template (email subject or body, webhook parameter value).
 *
 * Templates are Handlebars, cut down to what a billing operator needs and nothing that
 * could reach past the tokens: plain `{{group.field}}` paths, and `#if` / `#unless` /
 * `else` over such paths. Triple-stash `{{{x}}}` and `{{&x}}` are refused so that HTML
 * escaping can never be switched off; helpers, partials, decorators, `this`, `../`
 * and `@data` paths are refused too.
 */

import Handlebars from 'handlebars';
import { invalid } from '../errors.ts';

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type Path = hbs.AST.PathExpression;

const BLOCK_HELPERS = new Set(['if', 'unless']);

/** Where the template is checked, for the wording of refusals. */
interface Scope {
  field: string;
  allowed: ReadonlySet<string>;
  eventType?: string;
  multiline: boolean;
}

/**
 * Throws a 422 on `field` unless `source` parses and uses only tokens in
 * `allowedTokens` (names like `invoice.dueDate`). `eventType` only improves the
 * message: "subject uses token {{service.name}}, which invoice.posted does not carry".
 */
export const checkTemplate = (
  source: string,
  allowedTokens: Iterable<string>,
  field: string,
  eventType?: string,
): void => {
  if (typeof source !== 'string') {
    throw invalid(field, `${field} must be a string template (got ${typeof source})`);
  }
  let program: Program;
  try {
    program = Handlebars.parse(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(
      field,
      `${field} is not a valid template: ${oneLine(reason)}`,
      'invalid_template',
    );
  }
  const scope: Scope = {
    field,
    allowed: new Set(allowedTokens),
    eventType,
    multiline: source.includes('\n'),
  };
  checkProgram(program, scope);
};

/**
 * Handlebars parse errors span several lines: a heading, a source excerpt, a caret
 * line and what was expected. Fold them into one line that keeps all three parts.
 */
const oneLine = (text: string): string => {
  const lines = text.split('\n').filter((line) => line.trim() && !/^[-^\s]+$/.test(line));
  if (lines.length === 3 && lines[0].endsWith(':')) {
    return `${lines[0].slice(0, -1)}, near ${JSON.stringify(lines[1])}: ${lines[2]}`;
  }
  return lines.map((line) => line.trim()).join(' ');
};

const BLOCK_HINT =
  'only {{#if group.field}} and {{#unless group.field}} blocks, with {{else}}, are supported';

const checkProgram = (program: Program | undefined, scope: Scope): void => {
  if (!program) return;
  if (program.blockParams?.length) refuse(scope, program, 'block parameters (as |x|)', BLOCK_HINT);
  for (const node of program.body) checkNode(node, scope);
};

const checkNode = (node: Node, scope: Scope): void => {
  switch (node.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const mustache = node as hbs.AST.MustacheStatement;
      const name = describePath(mustache.path);
      if (!mustache.escaped) {
        refuse(
          scope,
          node,
          `unescaped output {{{${name}}}}`,
          `write {{${name}}}: values are escaped in HTML and left as they are in text`,
        );
      }
      if (mustache.params.length > 0 || mustache.hash?.pairs.length) {
        refuse(scope, node, `the helper call {{${name} ...}}`);
      }
      checkToken(mustache.path, scope);
      return;
    }
    case 'BlockStatement': {
      const block = node as hbs.AST.BlockStatement;
      const name = describePath(block.path);
      if (!BLOCK_HELPERS.has(name) || block.path.type !== 'PathExpression') {
        refuse(scope, node, `the block {{#${name}}}`, BLOCK_HINT);
      }
      if (block.params.length !== 1 || block.hash?.pairs.length) {
        refuse(
          scope,
          node,
          `{{#${name}}} with other than one token`,
          `write {{#${name} group.field}}...{{/${name}}}`,
        );
      }
      checkToken(block.params[0], scope);
      checkProgram(block.program, scope);
      checkProgram(block.inverse, scope);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement':
      refuse(scope, node, 'a partial ({{> name}})');
      return;
    case 'Decorator':
    case 'DecoratorBlock':
      refuse(scope, node, 'a decorator ({{* name}})');
      return;
    default:
      refuse(scope, node, `${node.type} syntax`);
  }
};

const describePath = (node: Node): string => {
  if (node.type === 'PathExpression') return (node as Path).original;
  const literal = node as unknown as { original?: unknown; value?: unknown };
  return String(literal.original ?? literal.value ?? node.type);
};

const checkToken = (node: Node, scope: Scope): void => {
  if (node.type !== 'PathExpression') {
    refuse(scope, node, `the literal ${describePath(node)} where a token belongs`);
  }
  const path = node as Path;
  const plain = !path.data && path.depth === 0 && path.parts.join('.') === path.original;
  if (plain && scope.allowed.has(path.original)) return;
  if (!plain) {
    refuse(
      scope,
      node,
      `the path {{${path.original}}}`,
      'write tokens as plain group.field paths, without this, ../ or @',
    );
  }

  const where = scope.eventType
    ? `which ${scope.eventType} does not carry`
    : 'which is not available here';
  const available = [...scope.allowed].join(', ') || 'none';
  throw invalid(
    scope.field,
    `${scope.field} uses token {{${path.original}}}${lineOf(scope, node)}, ${where}; ` +
      `available: ${available}`,
    'unknown_token',
  );
};

const lineOf = (scope: Scope, node: Node): string =>
  scope.multiline && node.loc ? ` (line ${node.loc.start.line})` : '';

const DEFAULT_HINT =
  'templates take {{group.field}} tokens and {{#if group.field}}...{{else}}...{{/if}} blocks';

const refuse = (scope: Scope, node: Node, what: string, hint = DEFAULT_HINT): never => {
  throw invalid(
    scope.field,
    `${scope.field} uses ${what}${lineOf(scope, node)}, which templates do not allow; ${hint}`,
    'invalid_template',
  );
};
