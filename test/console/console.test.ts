/**
 * The operator console in a real browser: headless Chromium signs in to a real
 * Herald, creates an endpoint, an SMTP profile, a canned email and subscriptions
 * through the pages, sends an event, finds its deliveries in the log, opens one and
 * resends it. Each step saves a screenshot to test-output/screenshots/.
 *
 * The steps share one browser page and build on each other, in order. Sign-in,
 * keyboard use and a refused key are in console-keyboard.test.ts.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { browserMissing, ensureConsoleBuilt, openBrowser, type Browser } from './browser.ts';
import { pageHelpers, stepsInOrder } from './steps.ts';

describe('the web console', { skip: browserMissing }, () => {
  let h: TestHerald;
  let receiver: Receiver;
  let sink: SmtpSink;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    // Herald looks for the build when it starts, so build first.
    await ensureConsoleBuilt();
    [h, receiver, sink, browser] = await Promise.all([
      startTestHerald(),
      startReceiver(),
      startSmtpSink(),
      openBrowser(),
    ]);
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    let r = await h.api('POST', '/v1/contact-types', { name: 'billing', isEmailDefault: true });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await h.api('POST', '/v1/accounts', {
      id: 'acc-1',
      name: 'Brightwater Cafés',
      contacts: { billing: { name: 'Aoife', email: 'aoife@example.com' } },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  after(async () => {
    await browser?.close();
    await Promise.all([h?.stop(), receiver?.close(), sink?.close()]);
  });

  const step = stepsInOrder();
  const { dialog, button, goTo, focusedText, signIn } = pageHelpers(() => page);

  step('signs in with the admin key', async () => {
    await page.goto(h.url);
    await browser.screenshot('sign-in');
    await signIn(h.url, h.adminKey);
  });

  step('creates an endpoint and shows its secret once', async () => {
    await button('New endpoint').click();
    const form = dialog('New endpoint');
    await form.getByLabel('Name', { exact: true }).fill('ops hook');
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('service.state_changed').check();
    await form.getByLabel('Ordering').selectOption('ordered');
    await form.getByLabel('Name', { exact: true }).press('Enter');

    const created = dialog('Endpoint ops hook created');
    const secret = await created.getByTestId('secret-value').textContent();
    assert.match(secret ?? '', /^whsec_/);
    receiver.setSecret(secret!);
    await browser.screenshot('endpoint-secret');
    await page.keyboard.press('Escape');
    await created.waitFor({ state: 'detached' });
    assert.equal(await focusedText(), 'New endpoint', 'focus returns to the opener');
    await page
      .getByRole('row', { name: /ops hook/ })
      .getByText('enabled', { exact: true })
      .waitFor();
  });

  step('edits, disables and enables the endpoint, and rotates its secret', async () => {
    await button('Edit ops hook').click();
    const edit = dialog('Edit ops hook');
    await edit.getByLabel('Ordering').selectOption('unordered');
    await edit.getByRole('button', { name: 'Save endpoint' }).click();
    await page
      .getByRole('row', { name: /ops hook/ })
      .getByText('unordered')
      .waitFor();

    await button('Disable ops hook').click();
    await page
      .getByRole('row', { name: /ops hook/ })
      .getByText('disabled', { exact: true })
      .waitFor();
    await button('Enable ops hook').click();
    await page
      .getByRole('row', { name: /ops hook/ })
      .getByText('enabled', { exact: true })
      .waitFor();

    await button('Rotate secret of ops hook').click();
    const rotate = dialog('Rotate the secret of ops hook');
    await rotate.getByRole('button', { name: 'Rotate secret' }).click();
    const secret = await rotate.getByTestId('secret-value').textContent();
    assert.match(secret ?? '', /^whsec_/);
    // Only the new secret verifies from now on: the webhook below proves it signs.
    receiver.setSecret(secret!);
    await rotate.getByRole('button', { name: 'Done' }).click();
    await browser.screenshot('endpoints');
  });

  step('creates SMTP profiles and moves the default between them', async () => {
    await goTo('SMTP profiles');
    for (const name of ['local sink', 'backup']) {
      await button('New SMTP profile').click();
      const form = dialog('New SMTP profile');
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Host').fill('127.0.0.1');
      await form.getByLabel('Port').fill(String(sink.port));
      await form.getByLabel('TLS', { exact: true }).selectOption('none');
      await form.getByLabel('From address').fill('herald@example.com');
      await form.getByLabel('From address').press('Enter');
      await form.waitFor({ state: 'detached' });
    }
    const isDefault = (name: string) =>
      page.getByRole('row', { name: new RegExp(name) }).getByText('default', { exact: true });
    await isDefault('local sink').waitFor();
    await button('Make default backup').click();
    await isDefault('backup').waitFor();
    await button('Make default local sink').click();
    await isDefault('local sink').waitFor();
    assert.equal(await isDefault('backup').count(), 0, 'exactly one default');
    await browser.screenshot('smtp-profiles');
  });

  step('creates a canned email with its tokens listed and a rendered preview', async () => {
    await goTo('Canned emails');
    await page.getByRole('link', { name: 'New canned email' }).click();
    await page.getByLabel('Name', { exact: true }).fill('state change');
    await page.getByLabel('Event type').selectOption('service.state_changed');
    const subject = page.getByLabel('Subject');
    await subject.fill('Service ');
    await button('{{service.name}}').click();
    assert.equal(await subject.inputValue(), 'Service {{service.name}}', 'inserted at the cursor');
    await subject.fill('{{service.name}} is now {{service.newState}}');
    await page.getByLabel('HTML body').fill('<p>Hello {{contact.name}}: {{service.name}}.</p>');
    await page.getByLabel('Plain-text body').fill('Hello {{contact.name}}');
    await page.getByLabel("The account's billing contact").check();
    await button('Create canned email').click();

    await page.getByRole('heading', { name: 'Canned email: state change' }).waitFor();
    assert.match(page.url(), /#\/emails\/tpl_/);
    await page
      .getByTestId('preview-subject')
      .filter({ hasText: 'Fibre 100 is now Active' })
      .waitFor();
    const html = page.frameLocator('iframe[title="HTML body"]');
    await html.getByText('Hello : Fibre 100.').waitFor();
    await browser.screenshot('canned-email-editor');
  });

  step('renders unsaved changes in the preview as the operator types', async () => {
    await page.getByLabel('Subject').fill('Changed: {{service.name}}');
    await page
      .getByTestId('preview-subject')
      .filter({ hasText: 'Changed: Fibre 100' })
      .waitFor({ timeout: 2000 });
  });

  step('lists the canned emails', async () => {
    await page.getByRole('link', { name: 'All canned emails' }).click();
    await page
      .getByRole('row', { name: /state change/ })
      .getByText('service.state_changed')
      .waitFor();
    await browser.screenshot('canned-emails');
  });

  step('test-sends the canned email through the SMTP profile', async () => {
    await goTo('SMTP profiles');
    await button('Test-send through local sink').click();
    const send = dialog('Test-send through local sink');
    await send.getByLabel('Send to').fill('ops@example.com');
    await send.getByLabel('Send to').press('Enter');
    await send.getByRole('status').filter({ hasText: 'Sent to ops@example.com' }).waitFor();
    const [mail] = await sink.waitFor(1);
    assert.deepEqual(mail.envelope.to, ['ops@example.com']);
    assert.equal(mail.parsed.subject, 'Fibre 100 is now Active');
    await page.keyboard.press('Escape');
  });

  step('subscribes the endpoint and the canned email', async () => {
    await goTo('Subscriptions');
    for (const target of ['ops hook', 'state change']) {
      await button('New subscription').click();
      const form = dialog('New subscription');
      await form.getByLabel('Notify').selectOption({ label: target });
      await form.getByRole('button', { name: 'Create subscription' }).click();
      await form.waitFor({ state: 'detached' });
    }
    await page.getByRole('row', { name: /Webhook: ops hook/ }).waitFor();
    await page.getByRole('row', { name: /Email: state change/ }).waitFor();
    await browser.screenshot('subscriptions');
  });

  step('sends a test event that reaches the endpoint and the email', async () => {
    await goTo('Endpoints');
    await button('Send test event to ops hook').click();
    const send = dialog('Send a test event to ops hook');
    await send.getByLabel('Account').selectOption('acc-1');
    await browser.screenshot('test-event');
    await send.getByRole('button', { name: 'Send test event' }).click();
    await dialog('Test event sent').waitFor();

    const [hook] = await receiver.waitFor(1);
    assert.equal(hook.verified, true, hook.verifyError);
    assert.equal((hook.body as any).data.service.name, 'Fibre 100');
    const mails = await sink.waitFor(2);
    assert.deepEqual(mails[1].envelope.to, ['aoife@example.com']);
    await h.drain();
    await dialog('Test event sent').getByRole('link', { name: 'delivery log' }).click();
  });

  step('shows the deliveries in the log, filtered, with the hourly chart', async () => {
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
    const rows = page.locator('table.deliveries tbody tr');
    await page.getByText('2 deliveries, newest first.').waitFor();
    assert.equal(await rows.filter({ hasText: 'succeeded' }).count(), 2);
    assert.ok((await page.locator('figure.chart svg rect').count()) >= 1, 'the chart has a bar');
    await page.getByText('succeeded: 2').waitFor();
    await browser.screenshot('delivery-log');

    await page.getByLabel('Channel').selectOption('webhook');
    await page.getByLabel('Account').fill('acc-1');
    await page.getByLabel('Account').press('Enter');
    await page.getByText('1 delivery, newest first.').waitFor();
    assert.equal(await rows.first().getByRole('cell', { name: 'webhook' }).count(), 1);
  });

  step('opens a delivery with its attempts and resends it', async () => {
    const open = page.locator('table.deliveries tbody tr').first().getByRole('button');
    const id = (await open.textContent())!;
    await open.click();
    const detail = dialog(`Delivery ${id}`);
    const first = detail.getByRole('article', { name: 'Attempt 1' });
    await first.getByTestId('attempt-status').filter({ hasText: '200' }).waitFor();
    await first.getByRole('rowheader', { name: 'webhook-signature' }).waitFor();
    await browser.screenshot('delivery-detail');

    await detail.getByRole('button', { name: 'Resend' }).click();
    await detail.getByText('Queued again').waitFor();
    const hooks = await receiver.waitFor(2);
    assert.equal(hooks[1].id, id, 'the resend keeps the delivery id');
    await h.drain();
    await detail.getByRole('button', { name: 'Refresh' }).click();
    await detail.getByRole('article', { name: 'Attempt 2' }).waitFor();
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    assert.equal(await focusedText(), id, 'focus returns to the delivery opened');
  });

  step('resends the failed deliveries of an endpoint in a time range', async () => {
    receiver.setResponder(() => ({ status: 503 }));
    const r = await h.api('POST', '/v1/events', {
      type: 'service.state_changed',
      accountId: 'acc-1',
      data: { service: { id: 's2', name: 'Fibre 500', previousState: 'A', newState: 'B' } },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await h.drain();
    receiver.setResponder(() => ({ status: 200, body: 'ok' }));

    // The page's clock an hour behind stands for a page opened an hour ago: the
    // form's range must still reach a delivery that failed after that.
    await page.clock.setFixedTime(Date.now() - 3_600_000);
    await page.reload();
    await page.locator('table.deliveries').getByText('failed').first().waitFor();
    await button('Resend failed').click();
    await page.getByText('1 failed delivery queued again.').waitFor();
    await h.drain();
    const last = receiver.received.at(-1)!;
    assert.equal((last.body as any).data.service.name, 'Fibre 500');
  });

  step('ran without a script error in the page', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
