import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

test('an event reaches its webhook and its email', async (t) => {
  const h = await startTestHerald();
  const receiver = await startReceiver();
  const sink = await startSmtpSink();
  t.after(async () => {
    await h.stop();
    await receiver.close();
    await sink.close();
  });

  let r = await h.api('POST', '/v1/contact-types', { name: 'service', isEmailDefault: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await h.api('POST', '/v1/accounts', {
    id: 'acc-1',
    name: 'Zoë Müller',
    contacts: { service: { name: 'Zoë', email: 'zoe@example.com' } },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await h.api('POST', '/v1/endpoints', {
    name: 'ops',
    url: receiver.url,
    eventTypes: ['service.state_changed'],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  receiver.setSecret(r.body.secret);
  const endpointId = r.body.id;
  r = await h.api('POST', '/v1/smtp-profiles', {
    name: 'main',
    host: '127.0.0.1',
    port: sink.port,
    tls: 'none',
    fromAddress: 'noreply@example.com',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await h.api('POST', '/v1/email-templates', {
    name: 'suspended',
    eventType: 'service.state_changed',
    subject: '{{service.name}} is now {{service.newState}}',
    html: '<p>Hello {{contact.name}}</p>',
    text: 'Hello {{contact.name}}',
    to: [{ contactType: 'service' }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const templateId = r.body.id;
  r = await h.api('POST', '/v1/subscriptions', { endpointId });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await h.api('POST', '/v1/subscriptions', { emailTemplateId: templateId });
  assert.equal(r.status, 201, JSON.stringify(r.body));

  r = await h.api('POST', '/v1/events', {
    type: 'service.state_changed',
    accountId: 'acc-1',
    data: {
      service: { id: 's1', name: 'Fibre 100', previousState: 'Active', newState: 'Suspended' },
    },
  });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const [hook] = await receiver.waitFor(1);
  assert.equal(hook.verified, true, hook.verifyError);
  const [mail] = await sink.waitFor(1);
  assert.equal(mail.parsed.subject, 'Fibre 100 is now Suspended');
  await h.drain();
  r = await h.api('GET', '/v1/deliveries');
  assert.equal(r.body.data.length, 2);
  assert.ok(
    r.body.data.every((d: any) => d.status === 'succeeded'),
    JSON.stringify(r.body.data),
  );
});
