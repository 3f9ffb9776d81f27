import { Type, type Static } from '@sinclair/typebox';
import { invalid } from '../../errors.ts';
import { parseDateTime, unknownAccount } from '../../ingest/input-checks.ts';
import type { AccountDoc } from '../../store/records.ts';
import type { BucketDoc } from '../../triggers/trigger-records.ts';
import type { Triggers } from '../../triggers/triggers.ts';
import type { UsageInput } from '../../triggers/usage-recorder.ts';
import type { Api, ApiContext } from '../context.ts';

const RecordFields = {
  id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'your id for the record; sending it again records nothing',
    }),
  ),
  accountId: Type.String({ minLength: 1, maxLength: 200 }),
  identifier: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: "a SIM's ICCID or another usage identifier; drives sim.dormant",
    }),
  ),
  msisdn: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  bucket: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'bucket id or name' }),
  ),
  quantity: Type.Number({ minimum: 0, description: 'in the bucket unit' }),
  amount: Type.Optional(
    Type.Number({ description: 'the charged value, for contract commitments' }),
  ),
  at: Type.Optional(
    Type.String({ description: 'ISO 8601; when the usage happened; now when unset' }),
  ),
};
const UsageRecordSchema = Type.Object(RecordFields, { additionalProperties: false });
type UsageRecordBody = Static<typeof UsageRecordSchema>;

// One record, or {"records": [...]}: the single form's fields are optional in the
// schema so that either shape passes it, and checked below.
const Body = Type.Object(
  {
    ...Type.Partial(UsageRecordSchema).properties,
    records: Type.Optional(Type.Array(UsageRecordSchema, { minItems: 1, maxItems: 1000 })),
  },
  { additionalProperties: false },
);

const TotalsQuery = Type.Object(
  { accountId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/**
 * Usage records. Each adds to its account's bucket total for the period, fires
 * usage.threshold_exceeded for each tier it takes the total across, and resets the
 * identifier's dormancy clock. All records of a request are checked before any is
 * recorded.
 */
export function usageRoutes(app: Api, ctx: ApiContext, triggers: Triggers): void {
  const tags = ['usage'];

  app.post(
    '/v1/usage',
    { config: { scope: 'events:create' }, schema: { body: Body, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const { records, ...single } = request.body;
      if (records && Object.keys(single).length > 0) {
        throw invalid('records', 'send one record, or {"records": [...]}, not both');
      }
      const list = records ?? [single as UsageRecordBody];
      const prefix = records ? (i: number) => `records[${i}].` : () => '';
      const inputs = await checkRecords(ctx, ownerId, list, prefix);
      const results = await triggers.usage.record(ownerId, inputs);
      return reply.status(202).send({
        recorded: results.filter((r) => r.status === 'recorded').length,
        duplicates: results.filter((r) => r.status === 'duplicate').length,
        results: results.map((r, index) => ({ index, ...r })),
      });
    },
  );

  app.get(
    '/v1/usage/totals',
    { config: { scope: 'events:read' }, schema: { querystring: TotalsQuery, tags } },
    async (request) => {
      const totals = await ctx.store.listUsageTotals(
        request.caller.owner.id,
        request.query.accountId,
      );
      return { data: totals };
    },
  );
}

async function checkRecords(
  ctx: ApiContext,
  ownerId: string,
  list: UsageRecordBody[],
  prefix: (i: number) => string,
): Promise<UsageInput[]> {
  const buckets = await ctx.store.listRecords<BucketDoc>(ownerId, 'bucket');
  const byRef = new Map<string, BucketDoc>();
  for (const { doc } of buckets) byRef.set(doc.name, doc);
  for (const { doc } of buckets) byRef.set(doc.id, doc);
  const accounts = new Map<string, AccountDoc | undefined>();

  const inputs: UsageInput[] = [];
  for (const [i, record] of list.entries()) {
    const field = (name: string) => `${prefix(i)}${name}`;
    if (record.accountId === undefined)
      throw invalid(field('accountId'), `${field('accountId')} is required`);
    if (record.quantity === undefined)
      throw invalid(field('quantity'), `${field('quantity')} is required`);
    if (!accounts.has(record.accountId)) {
      const stored = await ctx.store.getRecord<AccountDoc>(ownerId, 'account', record.accountId);
      accounts.set(record.accountId, stored?.doc);
    }
    const account = accounts.get(record.accountId);
    if (!account) throw unknownAccount(field('accountId'), record.accountId);
    const bucket = record.bucket === undefined ? undefined : byRef.get(record.bucket);
    if (record.bucket !== undefined && !bucket) {
      const known = buckets.map((b) => b.doc.name).join(', ') || 'none yet; see POST /v1/buckets';
      throw invalid(
        field('bucket'),
        `${field('bucket')}: no bucket has id or name ${JSON.stringify(record.bucket)}; ` +
          `known: ${known}`,
        'unknown_bucket',
      );
    }
    inputs.push({
      id: record.id,
      account,
      identifier: record.identifier,
      msisdn: record.msisdn,
      bucket,
      quantity: record.quantity,
      amount: record.amount,
      at: record.at === undefined ? undefined : parseDateTime(record.at, field('at')),
    });
  }
  return inputs;
}
