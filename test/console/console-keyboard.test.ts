/**
 * The console by keyboard alone, and its sign-in: a wrong key is refused on the
 * form, Tab reaches every page, a dialog keeps the focus until Escape closes it,
 * and a key Herald stops accepting sends the operator back to sign in.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { browserMissing, ensureConsoleBuilt, openBrowser, type Browser } from './browser.ts';
import { pageHelpers, stepsInOrder } from './steps.ts';

describe('the web console by keyboard', { skip: browserMissing }, () => {
  let h: TestHerald;
  let browser: Browser;
  let page: Page;
  const step = stepsInOrder();
  const { dialog, button, goTo, focusedText } = pageHelpers(() => page);

  before(async () => {
    await ensureConsoleBuilt();
    [h, browser] = await Promise.all([startTestHerald(), openBrowser()]);
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  const tabTo = async (text: string) => {
    for (let i = 0; i < 30 && (await focusedText()) !== text; i++) await page.keyboard.press('Tab');
    assert.equal(await focusedText(), text, `Tab reaches ${text}`);
  };

  step('refuses a wrong key on the form, then signs in with Enter', async () => {
    await page.goto(h.url);
    const key = page.getByLabel('API key');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'api-key');
    await page.keyboard.type('hk_not_a_key');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.apiKey')), null);

    await key.fill(h.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.apiKey')), h.adminKey);
  });

  step('reaches a page and a dialog with Tab and Enter, and keeps the focus inside', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo('SMTP profiles');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'SMTP profiles' }).waitFor();
    await tabTo('New SMTP profile');
    await page.keyboard.press('Enter');
    await dialog('New SMTP profile').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'INPUT');

    const inDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('dialog')));
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(i < 15 ? 'Tab' : 'Shift+Tab');
      assert.equal(await inDialog(), true, `focus stays in the dialog after ${i + 1} presses`);
    }
    await page.keyboard.press('Escape');
    await dialog('New SMTP profile').waitFor({ state: 'detached' });
    assert.equal(await focusedText(), 'New SMTP profile', 'focus returns to the opener');
  });

  step('shows where the focus is', async () => {
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement!).outlineStyle,
    );
    assert.equal(outline, 'solid');
  });

  step('returns to sign-in when Herald refuses the key', async () => {
    await goTo('Delivery log');
    await button('Refresh').waitFor();
    await page.evaluate(() => sessionStorage.setItem('herald.apiKey', 'hk_revoked'));
    await button('Refresh').click();
    await page.getByText('Herald refused the API key').waitFor();
    await page.getByLabel('API key').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.apiKey')), null);
  });
});
