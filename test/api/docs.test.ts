/**
 * The OpenAPI document at /openapi.json and the page at /docs: every route the
 * server registers is in the document, the document holds together as OpenAPI 3.1
 * (no validator package is installed, so its structure is checked here and every
 * schema in it is compiled against the JSON Schema meta-schema), and each /v1
 * route, called for real, answers with a status and a body the document gives.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { routeInventory } from '../../src/api/docs.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald-harness.ts';
import { startReceiver, type Receiver } from '../helpers/https-receiver.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { pathFor, readAllPath, seedOwner, serverRoutes, spec } from './api-fixtures.ts';

// ajv-formats is CommonJS: under Node's ESM loader the function is its `.default`.
const addFormats = addFormatsModule.default;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Routes that the seeded records lead to a documented refusal rather than a
 * success, by the state earlier calls of the walk leave behind, with its code.
 */
const REFUSED_HERE: Record<string, string> = {
  // The seeded event was delivered during seeding.
  'PATCH /v1/events/{id}': 'event_delivered',
  // POST /v1/invoices/{id}/settle cancelled the seeded overdue notification.
  'PATCH /v1/scheduled/{id}': 'scheduled_not_pending',
  'DELETE /v1/scheduled/{id}': 'scheduled_not_pending',
  // The owner's only profile is its default.
  'DELETE /v1/smtp-profiles/{id}': 'default_profile',
};

let h: TestHerald;
let receiver: Receiver;
let sink: SmtpSink;
let doc: any;

before(async () => {
  h = await startTestHerald();
  receiver = await startReceiver();
  sink = await startSmtpSink();
  const r = await fetch(`${h.url}/openapi.json`);
  assert.equal(r.status, 200);
  doc = await r.json();
});

after(async () => {
  await h.stop();
  await receiver.close();
  await sink.close();
});

function operations(): { path: string; method: string; op: any }[] {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );
}

/** An Ajv for the document's schemas: JSON Schema 2020-12, as OpenAPI 3.1 uses. */
function ajvFor(document: unknown) {
  const ajv = new Ajv2020({ strict: false, discriminator: true, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document as object, 'openapi');
  return ajv;
}

const pointer = (...parts: string[]) =>
  'openapi#/' + parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

test('every route the server registers is in the document, and nothing else is', () => {
  const inventory = routeInventory(h.herald.server!);
  assert.ok(inventory.length > 80, `the inventory saw ${inventory.length} routes`);
  const listed = new Set(operations().map((o) => `${o.method.toUpperCase()} ${o.path}`));
  const shown = inventory.filter((r) => !r.hidden).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(
    shown.filter((key) => !listed.has(key)),
    [],
    'routes missing from the document',
  );
  assert.deepEqual(
    [...listed].filter((key) => !shown.includes(key)),
    [],
    'operations the server does not have',
  );

  // Only the documentation itself and the console's files are left out on purpose.
  const hidden = inventory.filter((r) => r.hidden).map((r) => r.path);
  const misplaced = hidden.filter((path) => path.startsWith('/v1') || path.endsWith('z'));
  assert.deepEqual(misplaced, [], 'API routes hidden from the document');
  for (const path of ['/v1/events', '/v1/deliveries/{id}', '/healthz', '/readyz', '/metrics']) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
});

test('the document holds together as OpenAPI 3.1', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(typeof doc.info.version, 'string');
  assert.deepEqual(doc.components.securitySchemes.bearer, {
    type: 'http',
    scheme: 'bearer',
    description: 'A Herald API key (hk_...)',
  });
  assert.deepEqual(doc.security, [{ bearer: [] }]);
  const declaredTags = new Set(doc.tags.map((t: any) => t.name));

  const operationIds = new Set<string>();
  for (const { path, method, op } of operations()) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.ok(path.startsWith('/'), `${where}: a path starts with /`);
    assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${where} has tags`);
    for (const tag of op.tags) {
      assert.ok(declaredTags.has(tag), `${where}: tag ${tag} is described in docs.ts TAGS`);
    }
    const codes = Object.keys(op.responses ?? {});
    assert.ok(
      codes.some((c) => /^2\d\d$/.test(c)),
      `${where} documents a success answer`,
    );
    for (const code of codes) {
      assert.match(code, /^([1-5]\d\d|[1-5]XX|default)$/, `${where}: response key ${code}`);
      assert.equal(typeof op.responses[code].description, 'string', `${where} ${code}`);
    }
    if (path.startsWith('/v1/')) {
      assert.ok(op.responses['401'], `${where} documents the 401 of a missing key`);
      assert.equal(op.security, undefined, `${where} takes the document's bearer key`);
    }
    for (const requirement of op.security ?? []) {
      for (const name of Object.keys(requirement)) {
        assert.ok(doc.components.securitySchemes[name], `${where}: scheme ${name} exists`);
      }
    }
    const params = op.parameters ?? [];
    for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
      const param = params.find((p: any) => p.in === 'path' && p.name === name);
      assert.ok(param?.required === true, `${where}: path parameter ${name} is required`);
    }
    const seen = params.map((p: any) => `${p.in}:${p.name}`);
    assert.equal(new Set(seen).size, seen.length, `${where}: no parameter twice`);
    if (op.requestBody) assert.ok(op.requestBody.content['application/json'], where);
    if (op.operationId) {
      assert.ok(!operationIds.has(op.operationId), `${where}: unique operationId`);
      operationIds.add(op.operationId);
    }
  }
  assert.ok(doc.paths['/healthz'].get.security.length === 0, 'probes need no key');
});

test('every schema in the document is valid JSON Schema and every $ref resolves', () => {
  const ajv = ajvFor(doc);
  const refs: string[] = [];
  const walk = (node: unknown, at: string[]) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else walk(value, [...at, key]);
    }
  };
  walk(doc, []);
  for (const ref of new Set(refs)) {
    assert.match(ref, /^#\/components\/schemas\/[A-Za-z0-9_.-]+$/, `local ref ${ref}`);
    assert.ok(doc.components.schemas[ref.split('/').at(-1)!], `${ref} resolves`);
  }

  let compiled = 0;
  for (const { path, method, op } of operations()) {
    const base = ['paths', path, method];
    const schemas: string[][] = [];
    (op.parameters ?? []).forEach((_: unknown, i: number) =>
      schemas.push([...base, 'parameters', String(i), 'schema']),
    );
    if (op.requestBody)
      schemas.push([...base, 'requestBody', 'content', 'application/json', 'schema']);
    for (const [code, answer] of Object.entries(op.responses) as [string, any][]) {
      for (const type of Object.keys(answer.content ?? {})) {
        schemas.push([...base, 'responses', code, 'content', type, 'schema']);
      }
    }
    for (const parts of schemas) {
      assert.doesNotThrow(() => ajv.getSchema(pointer(...parts)), parts.join(' '));
      compiled += 1;
    }
  }
  assert.ok(compiled > 200, `compiled ${compiled} schemas`);
});

test('each /v1 route answers with a status and a body its document gives', async () => {
  const ids = await seedOwner(h, h.adminKey, {
    accountId: 'acc-docs',
    endpointUrl: receiver.url,
    label: 'D',
  });
  // The seeded profile points at no server; test-send should reach a real one.
  await h.api('PATCH', `/v1/smtp-profiles/${ids.smtpProfileId}`, { port: sink.port });
  await h.drain();

  const ajv = ajvFor(doc);
  const routes = serverRoutes(h);
  // Deletions last, so that every other route still finds its record.
  routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  const wrong: string[] = [];
  let drained = false;
  for (const route of routes) {
    // The walk requeued the seeded delivery to an endpoint it pointed nowhere: let
    // its retries end first, or a withdrawal can find it in flight and be refused.
    if (route.method === 'DELETE' && !drained) {
      await h.drain();
      drained = true;
    }
    const path =
      route.method === 'GET' && !route.path.includes('{')
        ? readAllPath(route, ids)
        : pathFor(route, ids);
    const body = spec(route).body?.(ids);
    const r = await h.api(route.method, path, body);
    const refusal = REFUSED_HERE[route.key];
    if (refusal ? r.body?.error?.code !== refusal : r.status >= 300) {
      wrong.push(`${route.key} answered ${r.status}: ${JSON.stringify(r.body)}`);
      continue;
    }
    const answer = route.operation.responses[String(r.status)];
    if (!answer) {
      wrong.push(`${route.key} answered ${r.status}, not documented: ${JSON.stringify(r.body)}`);
      continue;
    }
    if (!answer.content) {
      if (r.body !== undefined) wrong.push(`${route.key} ${r.status} has an undocumented body`);
      continue;
    }
    const check = ajv.getSchema(
      pointer(
        'paths',
        route.path,
        route.method.toLowerCase(),
        'responses',
        String(r.status),
        'content',
        'application/json',
        'schema',
      ),
    )!;
    if (!check(r.body)) {
      wrong.push(`${route.key} ${r.status}: ${ajv.errorsText(check.errors)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('/docs is a page whose scripts and styles all come from Herald itself', async () => {
  const r = await fetch(`${h.url}/docs`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  const html = await r.text();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.length >= 4, html);
  for (const asset of assets) {
    assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} is served locally`);
    const url = new URL(asset, `${h.url}/docs/`);
    const file = await fetch(url);
    assert.equal(file.status, 200, `${url}`);
    assert.ok((await file.arrayBuffer()).byteLength > 0, `${url} has content`);
  }
  const initializer = await (await fetch(`${h.url}/docs/static/swagger-initializer.js`)).text();
  assert.doesNotMatch(initializer, /https?:\/\/(?!stackoverflow)/, 'no other origin is called');
  const served = await (await fetch(`${h.url}/docs/json`)).json();
  assert.deepEqual(served, doc);
});
