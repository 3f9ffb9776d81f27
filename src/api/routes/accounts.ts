import { Type, type Static } from '@sinclair/typebox';
import { parseEmailAddress } from '../../email/address.ts';
import { conflict, invalid, notFound } from '../../errors.ts';
import type { AccountDoc, Contact, ContactTypeDoc } from '../../store/records.ts';
import type { StoredRecord } from '../../store/store.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';
import { checkLocale, checkTimezone } from '../validators.ts';

const ContactSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.String({ maxLength: 254 }),
  },
  { additionalProperties: false },
);

const AccountFields = {
  number: Type.Optional(Type.String({ maxLength: 100 })),
  name: Type.Optional(Type.String({ maxLength: 300 })),
  status: Type.Optional(Type.String({ maxLength: 100 })),
  timezone: Type.Optional(Type.String({ maxLength: 100 })),
  locale: Type.Optional(Type.String({ maxLength: 35 })),
  emailInvoicing: Type.Optional(Type.Boolean()),
  balance: Type.Optional(Type.Number()),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  contacts: Type.Optional(
    Type.Record(Type.String(), ContactSchema, {
      description: 'keyed by contact type name; at most one contact of each type',
    }),
  ),
};

const AccountCreate = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), ...AccountFields },
  { additionalProperties: false },
);
const AccountPatch = Type.Object(AccountFields, { additionalProperties: false });
type AccountInput = Static<typeof AccountPatch>;

export function apiAccount(record: StoredRecord<AccountDoc>) {
  return { ...record.doc, createdAt: iso(record.createdAt), updatedAt: iso(record.updatedAt) };
}

/** Customer accounts of the owner, with their contacts by contact type. */
export function accountRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };

  async function save(
    ownerId: string,
    doc: AccountDoc,
    input: AccountInput,
    existing = false,
  ): Promise<AccountDoc> {
    const merged: AccountDoc = { ...doc, ...stripUndefined(input) } as AccountDoc;
    if (input.timezone !== undefined) merged.timezone = checkTimezone(input.timezone, 'timezone');
    if (input.locale !== undefined) merged.locale = checkLocale(input.locale, 'locale');
    if (input.contacts !== undefined)
      merged.contacts = await checkContacts(ownerId, input.contacts);
    await ctx.store.putRecords([
      { ownerId, kind: 'account', id: merged.id, doc: merged, existing },
    ]);
    return merged;
  }

  async function checkContacts(ownerId: string, contacts: Record<string, Contact>) {
    const types = await ctx.store.listRecords<ContactTypeDoc>(ownerId, 'contact-type');
    const known = new Set(types.map((t) => t.doc.name));
    const checked: Record<string, Contact> = {};
    for (const [type, contact] of Object.entries(contacts)) {
      if (!known.has(type)) {
        const list = [...known].join(', ') || 'none yet; create one with POST /v1/contact-types';
        throw invalid(
          `contacts.${type}`,
          `contacts.${type}: there is no contact type ${JSON.stringify(type)}; known: ${list}`,
          'unknown_contact_type',
        );
      }
      const email = parseEmailAddress(contact.email, `contacts.${type}.email`);
      checked[type] = contact.name === undefined ? { email } : { name: contact.name, email };
    }
    return checked;
  }

  async function load(ownerId: string, id: string) {
    const record = await ctx.store.getRecord<AccountDoc>(ownerId, 'account', id);
    if (!record) throw notFound('account', id);
    return record;
  }

  app.post(
    '/v1/accounts',
    { ...opts, schema: { body: AccountCreate, tags: ['accounts'] } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      if (await ctx.store.getRecord(ownerId, 'account', request.body.id)) {
        throw conflict(
          'account_exists',
          `account ${JSON.stringify(request.body.id)} exists; change it with PATCH or PUT ` +
            `/v1/accounts/${request.body.id}`,
          'id',
        );
      }
      const { id, ...input } = request.body;
      await save(ownerId, { id, emailInvoicing: false, contacts: {} }, input);
      return reply.status(201).send(apiAccount(await load(ownerId, id)));
    },
  );

  app.put(
    '/v1/accounts/:id',
    { ...opts, schema: { params: IdParams, body: AccountPatch, tags: ['accounts'] } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      await save(
        ownerId,
        { id: request.params.id, emailInvoicing: false, contacts: {} },
        request.body,
      );
      return apiAccount(await load(ownerId, request.params.id));
    },
  );

  app.patch(
    '/v1/accounts/:id',
    { ...opts, schema: { params: IdParams, body: AccountPatch, tags: ['accounts'] } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      await save(ownerId, current.doc, request.body, true);
      return apiAccount(await load(ownerId, request.params.id));
    },
  );

  app.get('/v1/accounts', { ...opts, schema: { tags: ['accounts'] } }, async (request) => {
    const records = await ctx.store.listRecords<AccountDoc>(request.caller.owner.id, 'account');
    return { data: records.map(apiAccount) };
  });

  app.get(
    '/v1/accounts/:id',
    { ...opts, schema: { params: IdParams, tags: ['accounts'] } },
    async (request) => apiAccount(await load(request.caller.owner.id, request.params.id)),
  );

  app.delete(
    '/v1/accounts/:id',
    { ...opts, schema: { params: IdParams, tags: ['accounts'] } },
    async (request, reply) => {
      const deleted = await ctx.store.deleteRecord(
        request.caller.owner.id,
        'account',
        request.params.id,
      );
      if (!deleted) throw notFound('account', request.params.id);
      return reply.status(204).send();
    },
  );
}

export function stripUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
