/**
 * Malformed requests on every route that takes a body or a query, driven by the
 * routes' own schemas: each must be a 4xx that names the field at fault, write
 * nothing, and leave the service serving. Wrong values that are well-formed JSON
 * (bad URLs, unknown tokens...) are in bad-values.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { startTestHerald, type ApiAnswer } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import {
  assertApiError,
  assertTableCoversServer,
  bodySchema,
  pathFor,
  seedOwner,
  serverRoutes,
  snapshotOwner,
  spec,
  wrongValue,
  type ServerRoute,
} from './api-fixtures.ts';

const h = await startTestHerald();
const receiver = await startReceiver();
const ids = await seedOwner(h, h.adminKey, {
  accountId: 'acc-1',
  endpointUrl: receiver.url,
  label: 'P',
});
await h.drain();
const routes = serverRoutes(h);
const bodyRoutes = routes.filter((r) => bodySchema(r));
const ajv = new Ajv({ strict: false });
// Every refused request is compared with the owner's state as seeded.
const before = await snapshotOwner(h, ids);

test.after(async () => {
  await h.stop();
  await receiver.close();
});

/** Sends a raw body to the route, with the content type given. */
function sendRaw(route: ServerRoute, raw: string, contentType = 'application/json') {
  return h.api(route.method, pathFor(route, ids), undefined, {
    raw,
    headers: { 'content-type': contentType },
  });
}

async function assertStillServing(): Promise<void> {
  const r = await h.api('GET', '/v1/accounts');
  assert.equal(r.status, 200, 'the service answers after a refused request');
}

test('the route table covers every route the server registers', () => {
  assertTableCoversServer(routes);
  assert.ok(bodyRoutes.length >= 20, `only ${bodyRoutes.length} routes take a body`);
});

for (const route of bodyRoutes) {
  test(`${route.key} refuses malformed bodies, naming the field, and writes nothing`, async (t) => {
    const schema = bodySchema(route);
    const base = () => structuredClone(spec(route).body!(ids));
    assert.ok(ajv.validate(schema, base()), `the table's body is valid: ${ajv.errorsText()}`);
    const send = (body: unknown) => h.api(route.method, pathFor(route, ids), body);

    await t.test('a body that is not an object', async () => {
      for (const body of [[], ['x'], 'text', 42, true, null]) {
        assertApiError(await send(body), 400, { field: 'body' });
      }
    });

    await t.test('each field with a value of the wrong type', async () => {
      for (const [name, property] of Object.entries<any>(schema.properties ?? {})) {
        const r = await send({ ...base(), [name]: wrongValue(property) });
        assertApiError(r, 400, { field: name, code: 'invalid_request' });
        if (property.type === 'integer') {
          assertApiError(await send({ ...base(), [name]: 1.5 }), 400, { field: name });
        }
      }
    });

    await t.test('each required field left out', async () => {
      for (const name of schema.required ?? []) {
        const body = base();
        delete body[name];
        assertApiError(await send(body), 400, { field: name, mentions: ['required'] });
      }
    });

    await t.test('a field the route does not know', async () => {
      const r = await send({ ...base(), colour: 'blue' });
      assertApiError(r, 400, { field: 'colour', code: 'unknown_field' });
    });

    await t.test('invalid JSON, an empty body and other content types', async () => {
      assertApiError(await sendRaw(route, '{"name": '), 400, { code: 'invalid_json' });
      assertApiError(await sendRaw(route, "{'single': 'quotes'}"), 400, { code: 'invalid_json' });
      assertApiError(await sendRaw(route, ''), 400, { code: 'empty_body' });
      assertApiError(await sendRaw(route, 'name=x', 'text/plain'), 400, { field: 'body' });
      const xml = await sendRaw(route, '<name>x</name>', 'application/xml');
      assertApiError(xml, 415, { code: 'unsupported_media_type' });
      const form = await sendRaw(route, 'name=x', 'application/x-www-form-urlencoded');
      assertApiError(form, 415, { code: 'unsupported_media_type' });
    });

    await t.test('a body over the size limit', async () => {
      const limit = h.herald.config.bodyLimitBytes;
      const huge = JSON.stringify({ ...base(), name: 'x'.repeat(limit) });
      assertApiError(await sendRaw(route, huge), 413, { code: 'body_too_large' });
    });

    assert.deepEqual(await snapshotOwner(h, ids), before, 'a refused request wrote nothing');
    await assertStillServing();
  });
}

/** Envelope errors: the request cannot be read at all, so the fault is the body. */
const ENVELOPE_FAULTS: [string, string, string, number][] = [
  ['invalid JSON', '{"name": ', 'application/json', 400],
  ['an empty body', '', 'application/json', 400],
  ['a non-JSON content type', '<x/>', 'application/xml', 415],
  ['an oversized body', 'x'.repeat(h.herald.config.bodyLimitBytes + 1), 'application/json', 413],
];

for (const [what, raw, contentType, status] of ENVELOPE_FAULTS) {
  test(`${what} is refused with a field naming what to fix`, async () => {
    const route = bodyRoutes.find((r) => r.key === 'POST /v1/accounts')!;
    const r: ApiAnswer = await sendRaw(route, raw, contentType);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(typeof r.body.error.field, 'string', JSON.stringify(r.body));
  });
}

test('the event intake refuses an Idempotency-Key over 255 characters', async () => {
  for (const path of ['/v1/events', '/v1/events/batch']) {
    const route = routes.find((r) => r.key === `POST ${path}`)!;
    const r = await h.api('POST', path, spec(route).body!(ids), {
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.field.toLowerCase(), 'idempotency-key', JSON.stringify(r.body));
  }
});

const queryRoutes = routes.filter((r) =>
  (r.operation.parameters ?? []).some((p: any) => p.in === 'query'),
);

/** Query values the parameter's schema refuses, from its pattern, enum or length. */
function badQueryValues(schema: any): string[] {
  const values: string[] = [];
  if (schema.pattern) values.push('abc!', '');
  if (schema.anyOf || schema.enum) values.push('no-such-value');
  if (schema.maxLength) values.push('x'.repeat(schema.maxLength + 1));
  return values;
}

for (const route of queryRoutes) {
  const parameters = route.operation.parameters.filter((p: any) => p.in === 'query');
  const has = (name: string) => parameters.some((p: any) => p.name === name);
  // The query a read needs (a required accountId, say), beside the bad parameter.
  const base = spec(route).query?.(ids) ?? '';
  const get = (query: string) => h.api('GET', `${route.path}?${[base, query].join('&')}`);

  test(`${route.key} refuses bad query values, naming the parameter`, async () => {
    for (const parameter of parameters) {
      for (const value of badQueryValues(parameter.schema)) {
        const r = await get(`${parameter.name}=${encodeURIComponent(value)}`);
        assertApiError(r, 400, { field: parameter.name });
      }
      if (parameter.required) {
        const r = await h.api('GET', route.path);
        assertApiError(r, 400, { field: parameter.name, mentions: ['required'] });
      }
    }
    const semantic = [
      ...(has('limit') ? ['limit=0', 'limit=1001'] : []),
      ...(has('after') ? ['after=not-a-cursor', 'after=czEyYQ'] : []),
    ];
    for (const query of semantic) {
      assertApiError(await get(query), 422, { field: query.split('=')[0] });
    }
    if (has('limit')) assertApiError(await get('limit=1&limit=2'), 400, { field: 'limit' });
    assert.deepEqual(await snapshotOwner(h, ids), before);
  });

  const lax = route.operation.parameters.length === 2 && has('after') && has('limit');
  test(`${route.key} refuses a query parameter it does not know`, {}, async () => {
    assertApiError(await get('limt=5'), 400, { field: 'limt', code: 'unknown_field' });
  });
}
