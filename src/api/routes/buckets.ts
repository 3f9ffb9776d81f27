import { Type, type Static } from '@sinclair/typebox';
import { conflict, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { UniqueViolation, type StoredRecord } from '../../store/store.ts';
import { PERIODS, type Period } from '../../triggers/local-time.ts';
import type { BucketDoc } from '../../triggers/trigger-records.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';
import { stripUndefined } from './accounts.ts';

export const RecordId = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/?#\\s]+$' });

export const PeriodSchema = Type.Union(
  PERIODS.map((p) => Type.Literal(p)),
  { description: 'calendar periods in the account time zone' },
);

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'unique per owner' }),
  unit: Type.String({ minLength: 1, maxLength: 50, description: 'GB, minutes, SMS, ...' }),
  allowance: Type.Number({ exclusiveMinimum: 0, description: 'per account and period' }),
  tiers: Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 10000 }), {
    minItems: 1,
    maxItems: 50,
    description: 'percentages of the allowance, such as [50, 80, 100]',
  }),
  period: PeriodSchema,
};
const Create = Type.Object(
  { id: Type.Optional(RecordId), ...Fields },
  { additionalProperties: false },
);
const Patch = Type.Partial(Type.Object(Fields), { additionalProperties: false });

function apiBucket(record: StoredRecord<BucketDoc>) {
  return { ...record.doc, createdAt: iso(record.createdAt), updatedAt: iso(record.updatedAt) };
}

/** Finds a bucket by its id or, failing that, its name. */
export async function findBucket(ctx: ApiContext, ownerId: string, ref: string) {
  return (
    (await ctx.store.getRecord<BucketDoc>(ownerId, 'bucket', ref)) ??
    (await ctx.store.findRecordByUniqueKey<BucketDoc>(ownerId, 'bucket', `name:${ref}`))
  );
}

/**
 * Usage buckets: an allowance per account and period, and the tiers (percentages of
 * it) that fire usage.threshold_exceeded once each per period. Usage records name a
 * bucket by id or name.
 */
export function bucketRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };
  const tags = ['usage'];

  async function save(ownerId: string, doc: BucketDoc, existing = true) {
    const tiers = [...new Set(doc.tiers)].sort((a, b) => a - b);
    const saved: BucketDoc = { ...doc, tiers };
    try {
      await ctx.store.putRecords([
        {
          ownerId,
          kind: 'bucket',
          id: doc.id,
          doc: saved,
          uniqueKey: `name:${doc.name}`,
          existing,
        },
      ]);
    } catch (error) {
      if (!(error instanceof UniqueViolation)) throw error;
      throw conflict(
        'bucket_name_taken',
        `another bucket is named ${JSON.stringify(doc.name)}; bucket names are unique`,
        'name',
      );
    }
    return load(ownerId, doc.id);
  }

  async function load(ownerId: string, id: string) {
    const record = await ctx.store.getRecord<BucketDoc>(ownerId, 'bucket', id);
    if (!record) throw notFound('bucket', id);
    return record;
  }

  app.post('/v1/buckets', { ...opts, schema: { body: Create, tags } }, async (request, reply) => {
    const ownerId = request.caller.owner.id;
    const { id = newId('bkt'), ...fields } = request.body;
    if (await ctx.store.getRecord(ownerId, 'bucket', id)) {
      throw conflict(
        'bucket_exists',
        `bucket ${JSON.stringify(id)} exists; change it with PATCH`,
        'id',
      );
    }
    const record = await save(ownerId, { id, ...fields, period: fields.period as Period }, false);
    return reply.status(201).send(apiBucket(record));
  });

  app.get('/v1/buckets', { ...opts, schema: { tags } }, async (request) => {
    const records = await ctx.store.listRecords<BucketDoc>(request.caller.owner.id, 'bucket');
    return { data: records.map(apiBucket) };
  });

  app.get('/v1/buckets/:id', { ...opts, schema: { params: IdParams, tags } }, async (request) =>
    apiBucket(await load(request.caller.owner.id, request.params.id)),
  );

  app.patch(
    '/v1/buckets/:id',
    { ...opts, schema: { params: IdParams, body: Patch, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      const input = request.body as Static<typeof Patch>;
      const doc = { ...current.doc, ...stripUndefined(input) } as BucketDoc;
      return apiBucket(await save(ownerId, doc));
    },
  );

  app.delete(
    '/v1/buckets/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const deleted = await ctx.store.deleteRecord(
        request.caller.owner.id,
        'bucket',
        request.params.id,
      );
      if (!deleted) throw notFound('bucket', request.params.id);
      return reply.status(204).send();
    },
  );
}
