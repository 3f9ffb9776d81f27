/**
 * The browser tests' steps and locators. A file's steps share one page and build on
 * each other, so after a failure the rest are skipped with a reason instead of
 * each waiting out its own timeout on a page in the wrong state.
 */
import { it } from 'node:test';
import type { Page } from 'playwright-core';

export type Step = (name: string, fn: () => Promise<void>, options?: { todo?: string }) => void;

export function stepsInOrder(): Step {
  let broken = false;
  return (name, fn, options = {}) =>
    it(name, options, async (t) => {
      if (broken) return t.skip('an earlier step failed');
      try {
        await fn();
      } catch (error) {
        // A step marked todo fails without spoiling the page for the next ones.
        if (!options.todo) broken = true;
        throw error;
      }
    });
}

/** Locators by role and name, as a keyboard or screen-reader user finds things. */
export function pageHelpers(page: () => Page) {
  return {
    dialog: (name: string | RegExp) => page().getByRole('dialog', { name }),
    button: (name: string | RegExp) => page().getByRole('button', { name, exact: true }),
    goTo: (pageName: string) =>
      page().getByRole('navigation').getByRole('link', { name: pageName }).click(),
    focusedText: () => page().evaluate(() => document.activeElement?.textContent ?? ''),
    /** Signs in through the form, submitting it with Enter. */
    async signIn(url: string, key: string) {
      await page().goto(url);
      await page().getByLabel('API key').fill(key);
      await page().getByLabel('API key').press('Enter');
      await page().getByRole('heading', { name: 'Endpoints' }).waitFor();
    },
  };
}
