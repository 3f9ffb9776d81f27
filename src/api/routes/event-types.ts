import { EVENT_TYPES } from '../../catalog/index.ts';
import type { Api } from '../context.ts';

/** The catalogue, served from the same data that validates intake. */
export function eventTypeRoutes(app: Api): void {
  const catalogue = EVENT_TYPES.map((t) => ({
    type: t.type,
    version: t.version,
    description: t.description,
    hasAccount: t.hasAccount,
    schema: t.schema,
    tokens: t.tokens,
  }));
  app.get('/v1/event-types', { schema: { tags: ['catalogue'] } }, async () => ({
    data: catalogue,
  }));
}
