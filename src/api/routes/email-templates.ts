import { Type, type Static } from '@sinclair/typebox';
import { getEventType, sampleCommon, sampleData, tokensFor } from '../../catalog/index.ts';
import { parseEmailAddress } from '../../email/address.ts';
import { ApiError, DeliveryError, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { renderEmail, transportProfile } from '../../queue/email-job.ts';
import { checkTemplate } from '../../templates/index.ts';
import type {
  AccountDoc,
  ContactTypeDoc,
  EmailTemplateDoc,
  RecipientSpec,
  SmtpProfileDoc,
} from '../../store/records.ts';
import type { EventRecord, RecordReference, RecordWrite, StoredRecord } from '../../store/store.ts';
import type { Api, ApiContext } from '../context.ts';
import { IdParams, iso } from '../shared.ts';
import { checkLocale } from '../validators.ts';
import { stripUndefined } from './accounts.ts';

const Recipient = Type.Union([
  Type.Object({ contactType: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object(
    {
      address: Type.String({ maxLength: 254 }),
      name: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
]);
const Recipients = Type.Array(Recipient, { maxItems: 50 });
const TEMPLATE_MAX = 256 * 1024;

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  eventType: Type.String(),
  locale: Type.Optional(Type.Union([Type.String({ maxLength: 35 }), Type.Null()])),
  subject: Type.String({ minLength: 1, maxLength: 998 }),
  html: Type.Optional(Type.String({ maxLength: TEMPLATE_MAX })),
  text: Type.Optional(Type.String({ maxLength: TEMPLATE_MAX })),
  to: Type.Optional(Recipients),
  cc: Type.Optional(Recipients),
  bcc: Type.Optional(Recipients),
  fromName: Type.Optional(Type.String({ maxLength: 200 })),
  fromAddress: Type.Optional(Type.String({ maxLength: 254 })),
  smtpProfileId: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'null: the default profile' }),
  ),
};
const Create = Type.Object(Fields, { additionalProperties: false });
const Patch = Type.Partial(Create, { additionalProperties: false });
type TemplateInput = Static<typeof Patch>;

const PreviewBody = Type.Object(
  {
    eventId: Type.Optional(Type.String()),
    accountId: Type.Optional(Type.String()),
    // A draft to render instead of the saved text, checked like a save but not stored,
    // so an editor can show its preview as the operator types.
    eventType: Type.Optional(Fields.eventType),
    subject: Type.Optional(Fields.subject),
    html: Type.Optional(Fields.html),
    text: Type.Optional(Fields.text),
  },
  { additionalProperties: false },
);
const TestSendBody = Type.Object(
  {
    to: Type.String({ maxLength: 254 }),
    eventId: Type.Optional(Type.String()),
    accountId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export function apiTemplate(record: StoredRecord<EmailTemplateDoc>) {
  return { ...record.doc, createdAt: iso(record.createdAt), updatedAt: iso(record.updatedAt) };
}

/** Canned emails: checked against their event type's tokens when saved. */
export function emailTemplateRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };
  const tags = ['email'];

  async function apply(
    ownerId: string,
    doc: EmailTemplateDoc,
    input: TemplateInput,
  ): Promise<EmailTemplateDoc> {
    const next: EmailTemplateDoc = { ...doc };
    for (const key of ['name', 'subject', 'html', 'text', 'fromName'] as const) {
      if (input[key] !== undefined) next[key] = input[key];
    }
    if (input.eventType !== undefined) {
      if (!getEventType(input.eventType)) {
        throw new ApiError(
          422,
          'unknown_event_type',
          `eventType ${JSON.stringify(input.eventType)} is not in the catalogue; see GET ` +
            `/v1/event-types`,
          'eventType',
        );
      }
      next.eventType = input.eventType;
    }
    if (input.locale !== undefined)
      next.locale = input.locale === null ? null : checkLocale(input.locale, 'locale');
    if (input.fromAddress !== undefined)
      next.fromAddress = parseEmailAddress(input.fromAddress, 'fromAddress');
    if (input.smtpProfileId === null) delete next.smtpProfileId;
    else if (input.smtpProfileId !== undefined) {
      const profile = await ctx.store.getRecord<SmtpProfileDoc>(
        ownerId,
        'smtp-profile',
        input.smtpProfileId,
      );
      if (!profile)
        throw invalid(
          'smtpProfileId',
          `SMTP profile ${JSON.stringify(input.smtpProfileId)} does not exist`,
          'unknown_smtp_profile',
        );
      next.smtpProfileId = input.smtpProfileId;
    }
    const types = await ctx.store.listRecords<ContactTypeDoc>(ownerId, 'contact-type');
    const known = new Set(types.map((t) => t.doc.name));
    for (const list of ['to', 'cc', 'bcc'] as const) {
      if (input[list] !== undefined) next[list] = checkRecipients(input[list]!, list, known);
    }

    if (!next.html && !next.text)
      throw invalid('html', 'a canned email needs an html body, a text body, or both');
    if (next.to.length + next.cc.length + next.bcc.length === 0)
      throw invalid('to', 'a canned email needs at least one recipient in to, cc or bcc');
    if (next.fromName && /[\r\n]/.test(next.fromName))
      throw invalid('fromName', 'fromName must not hold line breaks');
    const allowed = tokensFor(next.eventType, 'email').map((t) => t.name);
    checkTemplate(next.subject, allowed, 'subject', next.eventType);
    if (next.html) checkTemplate(next.html, allowed, 'html', next.eventType);
    if (next.text) checkTemplate(next.text, allowed, 'text', next.eventType);
    return next;
  }

  /** The profile it names must still exist when the template is written. */
  function templateWrite(ownerId: string, doc: EmailTemplateDoc, existing: boolean) {
    const refersTo: RecordReference[] = doc.smtpProfileId
      ? [{ kind: 'smtp-profile', id: doc.smtpProfileId, field: 'smtpProfileId' }]
      : [];
    const write: RecordWrite<EmailTemplateDoc> = {
      ownerId,
      kind: 'email-template',
      id: doc.id,
      doc,
      existing,
      refersTo,
    };
    return write;
  }

  async function load(ownerId: string, id: string) {
    const record = await ctx.store.getRecord<EmailTemplateDoc>(ownerId, 'email-template', id);
    if (!record) throw notFound('email template', id);
    return record;
  }

  /** A real past event, or a sample of the template's type for the given account. */
  async function eventFor(
    ownerId: string,
    template: EmailTemplateDoc,
    body: { eventId?: string; accountId?: string },
  ): Promise<EventRecord> {
    if (body.eventId) {
      const event = await ctx.store.getEvent(ownerId, body.eventId);
      if (!event) throw notFound('event', body.eventId);
      if (event.type !== template.eventType)
        throw invalid(
          'eventId',
          `event ${event.id} is a ${event.type} event; this template is for ${template.eventType}`,
        );
      return event;
    }
    const definition = getEventType(template.eventType)!;
    let account: Record<string, unknown> | null = null;
    if (definition.hasAccount) {
      if (body.accountId) {
        const record = await ctx.store.getRecord<AccountDoc>(ownerId, 'account', body.accountId);
        if (!record) throw notFound('account', body.accountId);
        account = record.doc as unknown as Record<string, unknown>;
      } else {
        account = sampleAccount();
      }
    }
    const now = Date.now();
    return {
      seq: 0,
      id: 'evt_sample',
      ownerId,
      type: template.eventType,
      accountId: (account?.id as string) ?? null,
      orderingKey: null,
      occurredAt: now,
      acceptedAt: now,
      data: sampleData(template.eventType),
      account,
      status: 'accepted',
    };
  }

  app.post(
    '/v1/email-templates',
    { ...opts, schema: { body: Create, tags } },
    async (request, reply) => {
      const ownerId = request.caller.owner.id;
      const blank: EmailTemplateDoc = {
        id: newId('tpl'),
        name: '',
        eventType: '',
        locale: null,
        subject: '',
        to: [],
        cc: [],
        bcc: [],
      };
      const doc = await apply(ownerId, blank, request.body);
      await ctx.store.putRecords([templateWrite(ownerId, doc, false)]);
      return reply.status(201).send(apiTemplate(await load(ownerId, doc.id)));
    },
  );

  app.get('/v1/email-templates', { ...opts, schema: { tags } }, async (request) => {
    const records = await ctx.store.listRecords<EmailTemplateDoc>(
      request.caller.owner.id,
      'email-template',
    );
    return { data: records.map(apiTemplate) };
  });

  app.get(
    '/v1/email-templates/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request) => apiTemplate(await load(request.caller.owner.id, request.params.id)),
  );

  app.patch(
    '/v1/email-templates/:id',
    { ...opts, schema: { params: IdParams, body: Patch, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const current = await load(ownerId, request.params.id);
      const doc = await apply(ownerId, current.doc, request.body);
      await ctx.store.putRecords([templateWrite(ownerId, doc, true)]);
      return apiTemplate(await load(ownerId, doc.id));
    },
  );

  app.delete(
    '/v1/email-templates/:id',
    { ...opts, schema: { params: IdParams, tags } },
    async (request, reply) => {
      const deleted = await ctx.store.deleteRecord(
        request.caller.owner.id,
        'email-template',
        request.params.id,
      );
      if (!deleted) throw notFound('email template', request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/email-templates/:id/preview',
    { ...opts, schema: { params: IdParams, body: PreviewBody, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const template = await load(ownerId, request.params.id);
      const { eventType, subject, html, text, ...source } = request.body ?? {};
      if (eventType !== undefined && !getEventType(eventType)) {
        throw invalid(
          'eventType',
          `eventType ${JSON.stringify(eventType)} is not in the catalogue`,
        );
      }
      const draft = { ...template.doc, ...stripUndefined({ eventType, subject, html, text }) };
      const allowed = tokensFor(draft.eventType, 'email').map((t) => t.name);
      for (const field of ['subject', 'html', 'text'] as const) {
        const value = draft[field];
        if (value) checkTemplate(value, allowed, field, draft.eventType);
      }
      const event = await eventFor(ownerId, draft, source);
      const rendered = await previewOrFail(() => renderEmail(ctx.store, draft, event));
      const { profile, ...shown } = rendered;
      return { ...shown, smtpProfileId: profile.id, eventId: event.id };
    },
  );

  app.post(
    '/v1/email-templates/:id/test-send',
    { ...opts, schema: { params: IdParams, body: TestSendBody, tags } },
    async (request) => {
      const ownerId = request.caller.owner.id;
      const to = parseEmailAddress(request.body.to, 'to');
      const template = await load(ownerId, request.params.id);
      const event = await eventFor(ownerId, template.doc, request.body);
      const rendered = await previewOrFail(() => renderEmail(ctx.store, template.doc, event));
      const profile = rendered.profile;
      try {
        const sent = await ctx.transports.send(
          { ...transportProfile(profile, ctx.secrets), bcc: [] },
          {
            from: rendered.from,
            to: [{ address: to }],
            cc: [],
            bcc: [],
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            headers: { 'X-Herald-Test-Send': 'true' },
          },
        );
        return {
          sent: true,
          to,
          messageId: sent.messageId,
          response: sent.response,
          smtpProfileId: profile.id,
        };
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        throw new ApiError(
          502,
          'smtp_failed',
          `the SMTP server refused the test message: ${error.message}`,
          undefined,
          { cause: error },
        );
      }
    },
  );
}

async function previewOrFail<T>(render: () => Promise<T>): Promise<T> {
  try {
    return await render();
  } catch (error) {
    if (error instanceof DeliveryError) throw new ApiError(422, error.code, error.message);
    throw error;
  }
}

function checkRecipients(
  list: RecipientSpec[],
  field: string,
  known: Set<string>,
): RecipientSpec[] {
  return list.map((r, i) => {
    if ('contactType' in r) {
      if (!known.has(r.contactType)) {
        throw invalid(
          `${field}[${i}].contactType`,
          `${field}[${i}].contactType: there is no contact type ` +
            `${JSON.stringify(r.contactType)}; known: ${[...known].join(', ') || 'none'}`,
          'unknown_contact_type',
        );
      }
      return { contactType: r.contactType };
    }
    if (r.name && /[\r\n]/.test(r.name))
      throw invalid(`${field}[${i}].name`, 'a display name must not hold line breaks');
    const address = parseEmailAddress(r.address, `${field}[${i}].address`);
    return r.name === undefined ? { address } : { address, name: r.name };
  });
}

function sampleAccount(): Record<string, unknown> {
  const common = sampleCommon() as { account?: Record<string, unknown> };
  return {
    emailInvoicing: false,
    contacts: {},
    ...(common.account ?? { id: 'acct-sample', name: 'Sample Account' }),
  };
}
