import type { SecretBox } from '../crypto/secret-box.ts';
import { DeliveryError } from '../errors.ts';
import { resolveRecipients } from '../email/recipients.ts';
import { BUILTIN_PREFIX, builtinTemplate } from '../email/builtin-templates.ts';
import { pickLocaleVariant } from '../email/locale-variant.ts';
import type { SmtpTransports } from '../email/smtp-transports.ts';
import type { SmtpProfile } from '../email/types.ts';
import { renderHeader, renderTemplate } from '../templates/index.ts';
import { getEventType } from '../catalog/index.ts';
import type {
  AccountDoc,
  ContactTypeDoc,
  EmailTemplateDoc,
  SmtpProfileDoc,
} from '../store/records.ts';
import type { DeliveryRecord, EventRecord, Store, StoredRecord } from '../store/store.ts';
import type { Job, JobResult } from './job.ts';
import { tokenContextOf } from './event-context.ts';

export interface EmailJobDeps {
  store: Store;
  secrets: SecretBox;
  transports: SmtpTransports;
  now?: () => number;
}

/** A rendered email, ready for a transport; also what preview shows. */
export interface RenderedEmail {
  subject: string;
  html?: string;
  text?: string;
  from: { name?: string; address: string };
  to: { name?: string; address: string }[];
  cc: { name?: string; address: string }[];
  bcc: { name?: string; address: string }[];
  notes: string[];
  profile: StoredRecord<SmtpProfileDoc>;
}

/**
 * One email attempt: resolve the recipients through the account's contacts, render
 * subject and bodies with the first recipient's contact tokens, and hand the message
 * to the SMTP profile's pooled transport.
 */
export function emailJob(deps: EmailJobDeps): Job {
  const now = deps.now ?? Date.now;
  return async (delivery: DeliveryRecord): Promise<JobResult> => {
    const template = await templateFor(deps.store, delivery);
    if (!template) return { kind: 'cancelled', reason: 'the email template was deleted' };
    const event = await deps.store.getEvent(delivery.ownerId, delivery.eventId);
    if (!event || event.status === 'withdrawn') {
      return { kind: 'cancelled', reason: 'the event was withdrawn' };
    }

    const startedAt = now();
    let rendered: RenderedEmail;
    try {
      rendered = await renderEmail(deps.store, template.doc, event);
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      const attempt = {
        startedAt,
        durationMs: 0,
        statusCode: null,
        responseBody: null,
        request: {},
      };
      return { kind: 'failed', attempt, error };
    }
    const request = {
      smtpProfileId: rendered.profile.id,
      from: rendered.from.address,
      to: rendered.to.map((a) => a.address),
      cc: rendered.cc.map((a) => a.address),
      bcc: rendered.bcc.map((a) => a.address),
      notes: rendered.notes,
    };
    const attemptOf = (statusCode: number | null, responseBody: string | null) => ({
      startedAt,
      durationMs: now() - startedAt,
      statusCode,
      responseBody,
      request,
    });
    if (rendered.to.length + rendered.cc.length + rendered.bcc.length === 0) {
      const error = new DeliveryError(
        'no_recipients',
        "no recipient could be resolved: the account has none of the template's contact " +
          'types and no email-default contact; add a contact or a literal address',
        false,
      );
      return { kind: 'failed', attempt: attemptOf(null, null), error };
    }

    try {
      const sent = await deps.transports.send(transportProfile(rendered.profile, deps.secrets), {
        from: rendered.from,
        to: rendered.to,
        cc: rendered.cc,
        bcc: rendered.bcc,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers: { 'X-Herald-Delivery-Id': delivery.id, 'X-Herald-Event-Type': event.type },
        // One Message-ID per delivery: a copy sent again after a lost reply is the
        // same message to the receiving systems, which drop it as a duplicate.
        messageId: `<${delivery.id}@${domainOf(rendered.from.address)}>`,
      });
      if (sent.rejected.length > 0) {
        // The server took the message for some recipients only: say who was refused.
        Object.assign(request, { refused: sent.rejected, refusedReplies: sent.rejectedReplies });
        request.notes = [...request.notes, `the server refused ${sent.rejected.join(', ')}`];
      }
      return { kind: 'delivered', attempt: attemptOf(250, sent.response) };
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      const reply = error.context.smtpResponse ?? null;
      return { kind: 'failed', attempt: attemptOf(error.context.smtpCode ?? null, reply), error };
    }
  };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'herald.invalid';
}

/** The settings a transport needs, with the password opened just before use. */
export function transportProfile(
  record: StoredRecord<SmtpProfileDoc>,
  secrets: SecretBox,
): SmtpProfile {
  const p = record.doc;
  return {
    id: record.id,
    version: String(record.updatedAt),
    host: p.host,
    port: p.port,
    tls: p.tls,
    username: p.username,
    password: p.passwordSealed ? secrets.open(p.passwordSealed) : undefined,
    fromName: p.fromName,
    fromAddress: p.fromAddress,
    bcc: p.bcc,
    maxConnections: p.maxConnections,
  };
}

async function templateFor(store: Store, delivery: DeliveryRecord) {
  if (delivery.targetId.startsWith(BUILTIN_PREFIX)) {
    const owner = await store.getOwner(delivery.ownerId);
    const doc = builtinTemplate(delivery.targetId, owner?.alertEmail ?? null);
    return doc ? { id: doc.id, doc } : undefined;
  }
  return store.getRecord<EmailTemplateDoc>(delivery.ownerId, 'email-template', delivery.targetId);
}

/** Renders a canned email for an event: recipients, sender, subject and bodies. */
export async function renderEmail(
  store: Store,
  template: EmailTemplateDoc,
  event: EventRecord,
): Promise<RenderedEmail> {
  const ownerId = event.ownerId;
  const owner = await store.getOwner(ownerId);
  const account = event.account as unknown as AccountDoc | null;
  const variant = await localeVariantOf(
    store,
    ownerId,
    template,
    account?.locale,
    owner?.defaultLocale,
  );
  template = variant.chosen;
  const profile = await smtpProfileFor(store, ownerId, template.smtpProfileId);
  const contactTypes = await store.listRecords<ContactTypeDoc>(ownerId, 'contact-type');
  const emailDefault = contactTypes.find((c) => c.doc.isEmailDefault)?.doc.name;
  const billing = contactTypes.find((c) => c.doc.isBilling)?.doc.name;
  const recipients = resolveRecipients({
    template,
    account: account
      ? { contacts: account.contacts, emailInvoicing: account.emailInvoicing }
      : null,
    emailDefaultContactType: emailDefault,
    billingContactType: billing,
    isInvoiceEvent: getEventType(event.type)?.groups.includes('invoice') ?? false,
  });

  const context = tokenContextOf(event, owner?.name ?? '', recipients.primaryContact);
  return {
    subject: renderHeader(template.subject, context),
    html: template.html ? renderTemplate(template.html, context, 'html') : undefined,
    text: template.text ? renderTemplate(template.text, context, 'text') : undefined,
    from: {
      name: template.fromName ?? profile.doc.fromName,
      address: template.fromAddress ?? profile.doc.fromAddress,
    },
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    notes: variant.note ? [variant.note, ...recipients.notes] : recipients.notes,
    profile,
  };
}

async function localeVariantOf(
  store: Store,
  ownerId: string,
  template: EmailTemplateDoc,
  accountLocale: string | undefined,
  ownerLocale = 'en',
) {
  if (template.id.startsWith(BUILTIN_PREFIX)) return { chosen: template };
  const all = await store.listRecords<EmailTemplateDoc>(ownerId, 'email-template');
  const variants = all
    .map((r) => r.doc)
    .filter((t) => t.name === template.name && t.eventType === template.eventType);
  return pickLocaleVariant(template, variants, accountLocale, ownerLocale);
}

async function smtpProfileFor(
  store: Store,
  ownerId: string,
  profileId: string | undefined,
): Promise<StoredRecord<SmtpProfileDoc>> {
  const profile = profileId
    ? await store.getRecord<SmtpProfileDoc>(ownerId, 'smtp-profile', profileId)
    : await store.findRecordByUniqueKey<SmtpProfileDoc>(ownerId, 'smtp-profile', 'default');
  if (!profile) {
    throw new DeliveryError(
      'no_smtp_profile',
      profileId
        ? `SMTP profile ${profileId} no longer exists; pick another on the template`
        : 'the owner has no default SMTP profile; create one with POST /v1/smtp-profiles',
      false,
    );
  }
  return profile;
}
