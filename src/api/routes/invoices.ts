import { Type } from '@sinclair/typebox';
import { notFound } from '../../errors.ts';
import type { InvoiceFact } from '../../store/trigger-store.ts';
import { outstanding } from '../../triggers/invoice-facts.ts';
import type { Triggers } from '../../triggers/triggers.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso, pageLimit } from '../shared.ts';

const ListQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')])),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);

export function apiInvoice(fact: InvoiceFact) {
  return {
    id: fact.id,
    accountId: fact.accountId,
    number: fact.number,
    date: fact.date,
    dueDate: fact.dueDate,
    total: fact.total,
    balance: outstanding(fact),
    reportedBalance: fact.balance,
    paid: fact.paid,
    currency: fact.currency,
    deliveredAt: iso(fact.deliveredAt),
    deliveryMethod: fact.deliveryMethod,
    status: fact.settledAt === null && outstanding(fact) > 0 ? 'open' : 'settled',
    settledAt: iso(fact.settledAt),
    createdAt: iso(fact.createdAt),
    updatedAt: iso(fact.updatedAt),
  };
}

/**
 * The invoice facts the triggers keep from invoice.posted and invoice.delivered
 * events: due date, delivery, what is still owed. Settling one (paid outside the
 * events Herald sees) cancels its pending overdue notification.
 */
export function invoiceRoutes(app: Api, ctx: ApiContext, triggers: Triggers): void {
  const tags = ['invoices'];

  app.get(
    '/v1/invoices',
    { config: { scope: 'events:read' }, schema: { querystring: ListQuery, tags } },
    async (request) => {
      const q = request.query;
      const facts = await ctx.store.listInvoices(request.caller.owner.id, {
        accountId: q.accountId,
        open: q.status === 'open',
        limit: pageLimit(q.limit),
      });
      return { data: facts.map(apiInvoice) };
    },
  );

  app.get(
    '/v1/invoices/:id',
    { config: { scope: 'events:read' }, schema: { params: IdParams, tags } },
    async (request) => {
      const fact = await ctx.store.getInvoice(request.caller.owner.id, request.params.id);
      if (!fact) throw notFound('invoice', request.params.id);
      return apiInvoice(fact);
    },
  );

  app.post(
    '/v1/invoices/:id/settle',
    { config: { scope: 'events:create' }, schema: { params: IdParams, tags } },
    async (request) => {
      const fact = await triggers.invoices.settle(request.caller.owner.id, request.params.id);
      if (!fact) throw notFound('invoice', request.params.id);
      return apiInvoice(fact);
    },
  );
}
