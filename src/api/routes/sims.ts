import { notFound } from '../../errors.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';

/** What Herald knows of a SIM from usage records: its account and last usage. */
export function simRoutes(app: Api, ctx: ApiContext): void {
  app.get(
    '/v1/sims/:id',
    { config: { scope: 'events:read' }, schema: { params: IdParams, tags: ['usage'] } },
    async (request) => {
      const sim = await ctx.store.getSim(request.caller.owner.id, request.params.id);
      if (!sim) throw notFound('SIM', request.params.id);
      return {
        iccid: sim.iccid,
        accountId: sim.accountId,
        msisdn: sim.msisdn,
        lastUsageAt: iso(sim.lastUsageAt),
      };
    },
  );
}
