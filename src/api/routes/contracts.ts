import { Type, type Static } from '@sinclair/typebox';
import { conflict, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { RecordReference, StoredRecord } from '../../store/store.ts';
import { localIso, periodAt, type Period } from '../../triggers/local-time.ts';
import { accountZone } from '../../triggers/scheduled-rows.ts';
import type { ContractDoc } from '../../triggers/trigger-records.ts';
import type { Triggers } from '../../triggers/triggers.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';
import { stripUndefined } from './accounts.ts';
import { findBucket, PeriodSchema, RecordId } from './buckets.ts';

const Tier = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    commitAmount: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const Fields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  period: PeriodSchema,
  tiers: Type.Array(Tier, { minItems: 1, maxItems: 20 }),
  measure: Type.Optional(
    Type.Union([Type.Literal('amount'), Type.Literal('quantity')], {
      description: "what is held against commitAmount: usage records' amount (default) or quantity",
    }),
  ),
  bucket: Type.Optional(
    Type.Union([Type.String({ maxLength: 200 }), Type.Null()], {
      description: "count only this bucket's usage (id or name); all the account's when unset",
    }),
  ),
  currency: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]{3}$' }), Type.Null()])),
};
const Create = Type.Object(
  { id: Type.Optional(RecordId), accountId: Type.String({ minLength: 1 }), ...Fields },
  { additionalProperties: false },
);
const Patch = Type.Partial(Type.Object(Fields), { additionalProperties: false });
type ContractInput = Static<typeof Patch>;

/**
 * Contracts with commitment tiers. At the end of each period (calendar periods in
 * the account's time zone) the account's usage is held against every tier, and
 * each tier not met fires contract.under_commit once.
 */
export function contractRoutes(app: Api, ctx: ApiContext, triggers: Triggers): void {
  const opts = { config: { scope: 'config' as const } };
  const tags = ['usage'];

  async function apiContract(ownerId: string, record: StoredRecord<ContractDoc>) {
    const { zone } = await accountZone(ctx.store, ownerId, record.doc.accountId);
    const period = periodAt(triggers.clock.now(), record.doc.period, zone);
    return {
      ...record.doc,
      currentPeriod: {
        start: period.startDate,
        end: period.endDate,
        checkAt: iso(period.end),
        checkAtLocal: localIso(period.end, zone),
        timezone: zone,
      },
      createdAt: iso(record.createdAt),
      updatedAt: iso(record.updatedAt),
    };
  }

  async function save(ownerId: string, doc: ContractDoc, input: ContractInput, existing = true) {
    const { bucket, ...rest } = input;
    const next: ContractDoc = { ...doc, ...(stripUndefined(rest) as Partial<ContractDoc>) };
    if (bucket !== undefined) {
      const found = bucket === null ? undefined : await findBucket(ctx, ownerId, bucket);
      if (bucket !== null && !found) {
        throw invalid(
          'bucket',
          `bucket ${JSON.stringify(bucket)} does not exist`,
          'unknown_bucket',
        );
      }
      next.bucketId = found?.id ?? null;
    }
    const names = next.tiers.map((t) => t.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice) throw invalid('tiers', `tier names must differ; ${JSON.stringify(twice)} is twice`);

    const refersTo: RecordReference[] = next.bucketId
      ? [{ kind: 'bucket', id: next.bucketId, field: 'bucket' }]
      : [];
    await ctx.store.putRecords([
      { ownerId, kind: 'contract', id: next.id, doc: next, existing, refersTo },
    ]);
    await triggers.contracts.plan(ownerId, next);
    return load(ownerId, next.id);
  }

  async function load(ownerId: string, id: string) {
    const record = await ctx.store.getRecord<ContractDoc>(ownerId, 'contract', id);
    if (!record) throw notFound('contract', id);
    return record;
  }

  app.post('/v1/contracts', { ...opts, schema: { body: Create, tags } }, async (request, reply) => {
    const ownerId = request.caller.owner.id;
    const { id = newId('ctr'), accountId, ...input } = request.body;
    if (await ctx.store.getRecord(ownerId, 'contract', id)) {
      throw conflict(
        'contract_exists',
        `contract ${JSON.stringify(id)} exists; change it with PATCH`,
        'id',
      );
    }
    if (!(await ctx.store.getRecord(ownerId, 'account', accountId))) {
      throw invalid(
        'accountId',
        `account ${JSON.stringify(accountId)} is not known; create it with POST /v1/accounts first`,
        'unknown_account',
      );
    }
    const blank: ContractDoc = {
      id,
      accountId,
      period: input.period as Period,
      tiers: input.tiers,
      measure: 'amount',
      bucketId: null,
      currency: null,
    };
    const record = await save(ownerId, blank, input, false);
    return reply.status(201).send(await apiContract(ownerId, record));
  });

  app.get('/v1/contracts', { ...opts, schema: { tags } }, async (request) => {
    const ownerId = request.caller.owner.id;
    const records = await ctx.store.listRecords<ContractDoc>(ownerId, 'contract');
    return { data: await Promise.all(records.map((r) => apiContract(ownerId, r))) };
  });

  app.get('/v1/contracts/:id', { ...opts, schema: { params: IdParams, tags } }, async (request) => {
    const ownerId = request.caller.owner.id;
    return apiContract(ownerId, await load(ownerId, request.params.id));
  });

  app.patch(
    '/v1/contracts/:id',
    { ...opts, schema: { params: IdParams, body: Patch, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      return apiContract(ownerId, await save(ownerId, current.doc, request.body));
    },
  );

  app.delete(
    '/v1/contracts/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const deleted = await ctx.store.deleteRecord(ownerId, 'contract', request.params.id);
      if (!deleted) throw notFound('contract', request.params.id);
      await triggers.contracts.remove(ownerId, request.params.id);
      return reply.status(204).send();
    },
  );
}
