/**
 * What the console's browser tests share: Debian's Chromium driven by
 * playwright-core, a console build made on demand, and screenshots of each page in
 * test-output/screenshots/ (git-ignored) for a person to look at after a run.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CONSOLE_DIST } from '../../src/api/console.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false when they can. */
export const browserMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: install Debian's chromium package ` +
    "(CI's .ci/run does) to run the console's browser tests";

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOTS = join(REPO, 'test-output', 'screenshots');
const VIEWPORT = { width: 1280, height: 900 };

/**
 * Builds web/ into web/dist (about a second) when there is no build, or when a
 * source file changed after it: a stale build would test yesterday's console.
 * Test files run in parallel, so one builds while the others wait for it.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const built = join(CONSOLE_DIST, 'index.html');
  const fresh = () => existsSync(built) && newestSource() <= statSync(built).mtimeMs;
  if (fresh()) return;
  await withBuildLock(async () => {
    if (fresh()) return;
    const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], {
      cwd: REPO,
      timeout: 120_000,
    });
  });
}

async function withBuildLock(build: () => Promise<void>): Promise<void> {
  const lock = join(REPO, 'web', '.build-lock');
  const deadline = Date.now() + 150_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than any build is left by a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 120_000)
        await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`${lock} stays locked; remove it if no build runs`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function newestSource(): number {
  const web = join(REPO, 'web');
  const files = [join(web, 'index.html'), join(web, 'vite.config.ts')];
  for (const entry of readdirSync(join(web, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
  }
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** Saves the page as it looks now to test-output/screenshots/<name>.png. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a new, empty profile, so no earlier run's storage or
 * cache leaks in. Its background services (sync, updates, QUIC probes) are off:
 * the test must reach nothing but the loopback servers it started.
 */
export async function openBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'herald-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: VIEWPORT,
  });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    page,
    context,
    async screenshot(name) {
      // A full-page capture leaves out-of-process frames (the sandboxed email
      // preview) blank below the fold, so the viewport grows to the page instead.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.setViewportSize({
        width: VIEWPORT.width,
        height: Math.max(height, VIEWPORT.height),
      });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
      await page.setViewportSize(VIEWPORT);
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
