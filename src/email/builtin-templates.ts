import type { EmailTemplateDoc } from '../store/records.ts';

/**
 * Emails Herald sends on its own behalf, to the owner's alert address, through the
 * owner's default SMTP profile. Their deliveries name a target id with the
 * `builtin:` prefix instead of a canned email's id.
 */
export const BUILTIN_PREFIX = 'builtin:';
export const ENDPOINT_DISABLED_ALERT = 'builtin:endpoint-disabled';

export function builtinTemplate(targetId: string, alertEmail: string | null) {
  if (targetId !== ENDPOINT_DISABLED_ALERT || !alertEmail) return undefined;
  const template: EmailTemplateDoc = {
    id: ENDPOINT_DISABLED_ALERT,
    name: 'Herald: endpoint disabled',
    eventType: 'endpoint.disabled',
    locale: null,
    subject: 'Herald disabled the webhook endpoint {{endpoint.name}}',
    text: [
      'Herald stopped calling the webhook endpoint "{{endpoint.name}}" ({{endpoint.url}}).',
      '',
      'Why: {{endpoint.reason}}.',
      'Failing since: {{endpoint.failingSince}}',
      'Disabled at: {{endpoint.disabledAt}}',
      '',
      'Deliveries for it are kept. Once the receiver works again, re-enable the',
      'endpoint (PATCH /v1/endpoints/{{endpoint.id}} with {"enabled": true}) and they',
      'will be sent.',
    ].join('\n'),
    to: [{ address: alertEmail }],
    cc: [],
    bcc: [],
  };
  return template;
}
