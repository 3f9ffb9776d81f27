/**
 * Token templates: the context they render against, save-time checking, and
 * rendering for HTML, plain text and header values.
 */

export { checkTemplate } from './check-template.ts';
export { renderHeader, renderTemplate } from './render-template.ts';
export {
  buildTokenContext,
  webhookData,
  type AccountTokenSource,
  type TokenContextInput,
} from './token-context.ts';
