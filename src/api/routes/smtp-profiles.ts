import { Type, type Static } from '@sinclair/typebox';
import { parseEmailAddress } from '../../email/address.ts';
import { checkSmtpSettings, defaultPort } from '../../email/smtp-settings.ts';
import { conflict, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { EmailTemplateDoc, SmtpProfileDoc } from '../../store/records.ts';
import type { StoredRecord } from '../../store/store.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Optional(Type.Integer({ description: '25 when unset' })),
  tls: Type.Union([Type.Literal('none'), Type.Literal('starttls'), Type.Literal('implicit')]),
  fromName: Type.Optional(Type.String({ maxLength: 200 })),
  fromAddress: Type.String({ maxLength: 254 }),
  bcc: Type.Optional(Type.Array(Type.String({ maxLength: 254 }), { maxItems: 50 })),
  username: Type.Optional(Type.String({ maxLength: 500 })),
  password: Type.Optional(Type.String({ maxLength: 1000, description: 'write-only' })),
  maxConnections: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 50, description: 'parallel connections; 3 when unset' }),
  ),
  isDefault: Type.Optional(Type.Boolean()),
};
const Create = Type.Object(Fields, { additionalProperties: false });
const Patch = Type.Partial(Create, { additionalProperties: false });
type ProfileInput = Static<typeof Patch>;

export function apiSmtpProfile(record: StoredRecord<SmtpProfileDoc>) {
  const { passwordSealed, ...rest } = record.doc;
  const isDefault = record.uniqueKey === 'default';
  return {
    ...rest,
    isDefault,
    hasPassword: Boolean(passwordSealed),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

/**
 * SMTP profiles. Exactly one is the owner's default at all times: the first profile
 * becomes it, another takes it only by being made default (an atomic swap in the
 * store), and the default cannot be deleted.
 */
export function smtpProfileRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };
  const tags = ['email'];

  function apply(doc: SmtpProfileDoc, input: ProfileInput): SmtpProfileDoc {
    const next = { ...doc };
    if (input.name !== undefined) next.name = input.name;
    if (input.host !== undefined) next.host = input.host.trim();
    if (input.tls !== undefined) next.tls = input.tls;
    if (input.port !== undefined) next.port = input.port;
    else if (!doc.host) next.port = defaultPort(next.tls);
    if (input.fromName !== undefined) next.fromName = input.fromName;
    if (input.fromAddress !== undefined)
      next.fromAddress = parseEmailAddress(input.fromAddress, 'fromAddress');
    if (input.bcc !== undefined)
      next.bcc = input.bcc.map((a, i) => parseEmailAddress(a, `bcc[${i}]`));
    if (input.maxConnections !== undefined) next.maxConnections = input.maxConnections;
    if (input.username !== undefined) next.username = input.username || undefined;
    if (input.password !== undefined)
      next.passwordSealed = input.password ? ctx.secrets.seal(input.password) : undefined;
    checkSmtpSettings({ host: next.host, port: next.port, tls: next.tls });
    if (next.fromName && /[\r\n]/.test(next.fromName))
      throw invalid('fromName', 'fromName must not hold line breaks');
    return next;
  }

  async function load(ownerId: string, id: string) {
    const record = await ctx.store.getRecord<SmtpProfileDoc>(ownerId, 'smtp-profile', id);
    if (!record) throw notFound('SMTP profile', id);
    return record;
  }

  app.post(
    '/v1/smtp-profiles',
    { ...opts, schema: { body: Create, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const blank: SmtpProfileDoc = {
        id: newId('smtp'),
        name: '',
        host: '',
        port: 25,
        tls: 'starttls',
        fromAddress: '',
        bcc: [],
        isDefault: false,
      };
      const doc = apply(blank, request.body);
      const hasDefault = await ctx.store.findRecordByUniqueKey(ownerId, 'smtp-profile', 'default');
      await ctx.store.putRecords([{ ownerId, kind: 'smtp-profile', id: doc.id, doc }]);
      if (!hasDefault || request.body.isDefault)
        await ctx.store.makeDefault(ownerId, 'smtp-profile', doc.id);
      return reply.status(201).send(apiSmtpProfile(await load(ownerId, doc.id)));
    },
  );

  app.get('/v1/smtp-profiles', { ...opts, schema: { tags } }, async (request) => {
    const records = await ctx.store.listRecords<SmtpProfileDoc>(
      request.caller.owner.id,
      'smtp-profile',
    );
    return { data: records.map(apiSmtpProfile) };
  });

  app.get(
    '/v1/smtp-profiles/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request) => apiSmtpProfile(await load(request.caller.owner.id, request.params.id)),
  );

  app.patch(
    '/v1/smtp-profiles/:id',
    { ...opts, schema: { params: IdParams, body: Patch, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      if (request.body.isDefault === false && current.uniqueKey === 'default') {
        throw conflict(
          'default_required',
          'an owner always has one default SMTP profile; make another profile the default instead',
          'isDefault',
        );
      }
      const doc = apply(current.doc, request.body);
      await ctx.store.putRecords([
        { ownerId, kind: 'smtp-profile', id: doc.id, doc, existing: true },
      ]);
      if (request.body.isDefault && !(await ctx.store.makeDefault(ownerId, 'smtp-profile', doc.id)))
        throw notFound('SMTP profile', doc.id);
      return apiSmtpProfile(await load(ownerId, doc.id));
    },
  );

  app.delete(
    '/v1/smtp-profiles/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const result = await ctx.store.deleteRecordGuarded(
        ownerId,
        'smtp-profile',
        request.params.id,
        {
          unlessUniqueKey: 'default',
          unlessReferencedBy: { kind: 'email-template', field: 'smtpProfileId' },
        },
      );
      if (result.outcome === 'missing') throw notFound('SMTP profile', request.params.id);
      if (result.outcome === 'holds-unique-key') {
        throw conflict(
          'default_profile',
          'this is the default SMTP profile; make another profile the default before deleting it',
        );
      }
      if (result.outcome === 'referenced') {
        const user = result.by as StoredRecord<EmailTemplateDoc>;
        throw conflict(
          'profile_in_use',
          `canned email ${user.id} (${user.doc.name}) sends through this profile; change it first`,
        );
      }
      return reply.status(204).send();
    },
  );
}
