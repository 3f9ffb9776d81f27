import { Type } from '@sinclair/typebox';
import { conflict, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { ContactTypeDoc } from '../../store/records.ts';
import { UniqueViolation, type RecordWrite, type StoredRecord } from '../../store/store.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';

const Fields = {
  name: Type.String({
    pattern: '^[a-z][a-z0-9_-]{0,63}$',
    description: 'lower case, like billing or service',
  }),
  isEmailDefault: Type.Optional(Type.Boolean()),
  isBilling: Type.Optional(Type.Boolean()),
};
const Create = Type.Object(Fields, { additionalProperties: false });
const Patch = Type.Object(
  { isEmailDefault: Fields.isEmailDefault, isBilling: Fields.isBilling },
  { additionalProperties: false },
);

function apiContactType(record: StoredRecord<ContactTypeDoc>) {
  return { ...record.doc, createdAt: iso(record.createdAt) };
}

/**
 * Contact types (billing, service, technical...). At most one is the email default
 * (the fallback recipient) and at most one the billing type; setting the flag on one
 * clears it on the others in the same write.
 */
export function contactTypeRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };

  async function write(ownerId: string, doc: ContactTypeDoc, existing = false): Promise<void> {
    // The store clears the flags this type takes from the others, in the same
    // transaction: read here and written back, two racing writes both kept theirs.
    const takesFlags = (['isEmailDefault', 'isBilling'] as const).filter((flag) => doc[flag]);
    const writes: RecordWrite<ContactTypeDoc>[] = [
      { ownerId, kind: 'contact-type', id: doc.id, doc, uniqueKey: doc.name, existing, takesFlags },
    ];
    try {
      await ctx.store.putRecords(writes);
    } catch (error) {
      if (error instanceof UniqueViolation) {
        throw conflict(
          'contact_type_exists',
          `a contact type named ${JSON.stringify(doc.name)} exists already`,
          'name',
        );
      }
      throw error;
    }
  }

  app.post(
    '/v1/contact-types',
    { ...opts, schema: { body: Create, tags: ['contacts'] } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const doc: ContactTypeDoc = {
        id: newId('ctt'),
        name: request.body.name,
        isEmailDefault: request.body.isEmailDefault ?? false,
        isBilling: request.body.isBilling ?? false,
      };
      await write(ownerId, doc);
      const saved = await ctx.store.getRecord<ContactTypeDoc>(ownerId, 'contact-type', doc.id);
      return reply.status(201).send(apiContactType(saved!));
    },
  );

  app.get('/v1/contact-types', { ...opts, schema: { tags: ['contacts'] } }, async (request) => {
    const records = await ctx.store.listRecords<ContactTypeDoc>(
      request.caller.owner.id,
      'contact-type',
    );
    return { data: records.map(apiContactType) };
  });

  app.get(
    '/v1/contact-types/:id',
    { ...opts, schema: { params: IdParams, tags: ['contacts'] } },
    async (request) => {
      const record = await ctx.store.getRecord<ContactTypeDoc>(
        request.caller.owner.id,
        'contact-type',
        request.params.id,
      );
      if (!record) throw notFound('contact type', request.params.id);
      return apiContactType(record);
    },
  );

  app.patch(
    '/v1/contact-types/:id',
    { ...opts, schema: { params: IdParams, body: Patch, tags: ['contacts'] } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const record = await ctx.store.getRecord<ContactTypeDoc>(
        ownerId,
        'contact-type',
        request.params.id,
      );
      if (!record) throw notFound('contact type', request.params.id);
      const doc = {
        ...record.doc,
        isEmailDefault: request.body.isEmailDefault ?? record.doc.isEmailDefault,
        isBilling: request.body.isBilling ?? record.doc.isBilling,
      };
      await write(ownerId, doc, true);
      return apiContactType(
        (await ctx.store.getRecord<ContactTypeDoc>(ownerId, 'contact-type', doc.id))!,
      );
    },
  );

  app.delete(
    '/v1/contact-types/:id',
    { ...opts, schema: { params: IdParams, tags: ['contacts'] } },
    async (request, reply) => {
      const deleted = await ctx.store.deleteRecord(
        request.caller.owner.id,
        'contact-type',
        request.params.id,
      );
      if (!deleted) throw notFound('contact type', request.params.id);
      return reply.status(204).send();
    },
  );
}
