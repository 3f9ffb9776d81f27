/**
 * Rendering of checked templates against a token context.
 *
 * A private Handlebars environment is used so that helpers registered elsewhere in the
 * process can never widen what a template may do, and the helpers templates are not
 * allowed (`each`, `with`, `lookup`, `log`) are removed from it as a second guard behind
 * `checkTemplate`.
 */

import Handlebars from 'handlebars';

/** How many compiled templates are kept; the least recently used go first. */
const CACHE_LIMIT = 500;

const env = Handlebars.create();
for (const name of ['each', 'with', 'lookup', 'log']) env.unregisterHelper(name);

type Mode = 'html' | 'text';

const cache = new Map<string, HandlebarsTemplateDelegate>();

const compiled = (source: string, mode: Mode): HandlebarsTemplateDelegate => {
  const key = `${mode}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) {
    // Re-inserting moves the entry to the end, which is what makes eviction LRU.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const template = env.compile(source, {
    noEscape: mode === 'text',
    knownHelpers: { if: true, unless: true, each: false, with: false, lookup: false, log: false },
    knownHelpersOnly: true,
  });
  cache.set(key, template);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return template;
};

/**
 * Renders `source` against `context`. In `html` mode every token value is
 * HTML-escaped (& < > " ' ` =); in `text` mode values are inserted as they are.
 * Absent tokens render as empty strings. Check the source with `checkTemplate` when
 * it is saved: a template that does not compile throws here.
 */
export const renderTemplate = (source: string, context: object, mode: Mode): string =>
  compiled(source, mode)(context);

// C0 controls (CR, LF, tab...), DEL and C1 controls (NEL among them). Unicode line
// separators are left alone: they cannot end a header, and mailers encode them.
const CONTROL_RUNS = /[\u0000-\u001f\u007f-\u009f]+/g;

/**
 * Renders a header value (an email subject, a display name) as text, then turns each
 * run of control characters in the result into a single space and trims the ends, so
 * no token value can start a new header line.
 */
export const renderHeader = (source: string, context: object): string =>
  renderTemplate(source, context, 'text').replace(CONTROL_RUNS, ' ').trim();
