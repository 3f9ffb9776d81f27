/**
 * How Herald serves the console's files, without a browser: the build at `/` with
 * its headers, the page that explains a missing build, and the API's own answers
 * unchanged beside them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { consoleRoutes } from '../../src/api/console.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { ensureConsoleBuilt } from './browser.ts';

test('Herald serves the built console at / with its assets and headers', async (t) => {
  await ensureConsoleBuilt();
  const h = await startTestHerald();
  t.after(() => h.stop());

  const page = await fetch(`${h.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const html = await page.text();
  const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, `index.html names its script: ${html}`);

  const asset = await fetch(h.url + script);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
});

test('the console leaves the API, its errors and its OpenAPI document as they were', async (t) => {
  await ensureConsoleBuilt();
  const h = await startTestHerald();
  t.after(() => h.stop());

  const unknown = await h.api('GET', '/no-such-page');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'no_route');
  const unknownApi = await h.api('GET', '/v1/no-such-route');
  assert.equal(unknownApi.body.error.code, 'no_route');
  const keyless = await fetch(`${h.url}/v1/endpoints`);
  assert.equal(keyless.status, 401, 'the API still wants a key');

  const spec = h.herald.server!.swagger() as { paths: Record<string, unknown> };
  const consolePaths = Object.keys(spec.paths).filter((p) => p === '/' || p.startsWith('/assets'));
  assert.deepEqual(consolePaths, [], 'console files are not API routes');
});

test('without a build, / says how to make one', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'herald-no-console-'));
  const app = Fastify();
  t.after(async () => {
    await app.close();
    await rm(empty, { recursive: true, force: true });
  });
  await app.register(consoleRoutes, { root: empty });

  const answer = await app.inject({ method: 'GET', url: '/' });
  assert.equal(answer.statusCode, 200);
  assert.match(answer.headers['content-type'] as string, /^text\/html/);
  assert.match(answer.body, /npm run build:console/);
});
