import type { Api, ApiContext } from '../context.ts';
import { decodeCursor, encodeCursor, PageQuery, pageLimit } from '../shared.ts';
import { apiDelivery } from './deliveries.ts';

/**
 * The feed of delivery outcomes, for receivers that pull: each delivery appears
 * when it records an outcome (an attempt's result, a cancellation), and again at
 * each later one, with its state then. The cursor is the outcome's number, which
 * follows commit order, so paging while deliveries complete skips none and shows
 * none twice.
 */
export function deliveryFeedRoutes(app: Api, ctx: ApiContext): void {
  app.get(
    '/v1/deliveries/feed',
    {
      config: { scope: 'events:read' },
      schema: { querystring: PageQuery, tags: ['deliveries'] },
    },
    async (request) => {
      const after = decodeCursor(request.query.after);
      const limit = pageLimit(request.query.limit);
      const rows = await ctx.store.listDeliveryOutcomes(request.caller.owner.id, after, limit);
      const last = rows.at(-1);
      return {
        data: rows.map((d) => ({ ...apiDelivery(d), outcomeSeq: d.outcomeSeq })),
        nextCursor: last ? encodeCursor(last.outcomeSeq) : (request.query.after ?? null),
      };
    },
  );
}
