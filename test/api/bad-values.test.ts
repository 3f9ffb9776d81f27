/**
 * Well-formed requests with values Herald must refuse: bad URLs, addresses, tokens,
 * time zones, locales, contact types, event types and payloads. Each is a 4xx that
 * names the field and mentions it in the message, writes nothing, and the service
 * keeps serving. Malformed JSON and wrong types are in bad-input.test.ts.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { sampleData } from '../../src/catalog/index.ts';
import { startTestHerald } from '../helpers/herald-harness.ts';
import { startReceiver } from '../helpers/https-receiver.ts';
import {
  assertApiError,
  freshOwner,
  seedOwner,
  serviceEvent,
  snapshotOwner,
  wrongValue,
  type Seeded,
} from './api-fixtures.ts';
import {
  ALWAYS_REFUSED,
  CONFIG_REFUSALS,
  PRIVATE_REFUSED,
  endpointAt,
  type RefusalCase,
} from './refusals-config.ts';
import { EMAIL_AND_EVENT_REFUSALS } from './refusals-email-events.ts';
import { TRIGGER_REFUSALS } from './refusals-triggers.ts';

const CASES = [...CONFIG_REFUSALS, ...EMAIL_AND_EVENT_REFUSALS, ...TRIGGER_REFUSALS];

// One Herald with the development switch on for the file; the switch-off case has its own.
const h = await startTestHerald();
const receiver = await startReceiver();
test.after(async () => {
  await h.drain();
  await h.stop();
  await receiver.close();
});

/**
 * Refusals whose message does not name the field (by code, or by field where the
 * code is generic): the rest of each case is checked as usual, the wording apart.
 */
const WORDING_GAPS = new Set([
  'account_exists',
  'unknown_account',
  'unknown_endpoint',
  'unknown_email_template',
  'unknown_smtp_profile',
  'event_type_not_accepted',
  'parameters[1].name',
  'bcc[0].name',
  'filter.nope.x',
]);

/** Sends one case and checks the refusal against the owner's state from before all cases. */
async function runCase(t: TestContext, ids: Seeded, before: unknown, c: RefusalCase) {
  const body = typeof c.body === 'function' ? c.body(ids) : c.body;
  const r = await h.api(c.method, c.path(ids), body, { headers: c.headers });
  const gap = WORDING_GAPS.has(r.body?.error?.code) || WORDING_GAPS.has(c.field);
  assertApiError(r, c.status, { field: c.field, code: c.code, mentions: c.mentions, quiet: gap });
  assert.deepEqual(await snapshotOwner(h, ids), before, 'a refused request wrote nothing');
  assert.equal((await h.api('GET', '/v1/accounts')).status, 200, 'still serving');
  if (gap) {
    await t.test('its message names the field', () => {
      assert.ok(r.body.error.message.includes(c.field), JSON.stringify(r.body));
    });
  }
}

test('values Herald must refuse, with the development switch on', async (t) => {
  const ids = await seedOwner(h, h.adminKey, {
    accountId: 'acc-1',
    endpointUrl: receiver.url,
    label: 'P',
  });
  await h.drain();
  const before = await snapshotOwner(h, ids);
  for (const c of CASES) {
    await t.test(c.name, c.todo ? { todo: c.todo } : {}, (st) => runCase(st, ids, before, c));
  }
});

test('endpoint URLs to private targets are refused when the switch is off', async (t) => {
  const strict = await startTestHerald({ allowPrivateTargets: false });
  t.after(() => strict.stop());
  // A public name is saved without being resolved, and no event ever goes to it here.
  const saved = await strict.api(
    'POST',
    '/v1/endpoints',
    endpointAt('https://hooks.example.com/x'),
  );
  assert.equal(saved.status, 201, JSON.stringify(saved.body));
  const before = await strict.api('GET', `/v1/endpoints/${saved.body.id}`);
  for (const [url, word] of [...PRIVATE_REFUSED, ...ALWAYS_REFUSED]) {
    await t.test(`${url.slice(0, 70)} is refused`, async () => {
      let r = await strict.api('POST', '/v1/endpoints', endpointAt(url));
      assertApiError(r, 422, { field: 'url', mentions: [word] });
      r = await strict.api('PATCH', `/v1/endpoints/${saved.body.id}`, { url });
      assertApiError(r, 422, { field: 'url' });
    });
  }
  const list = await strict.api('GET', '/v1/endpoints');
  assert.deepEqual(list.body.data, [before.body], 'only the public endpoint exists, unchanged');
});

test('every event type refuses a payload that breaks its schema', async (t) => {
  const { api } = await freshOwner(h);
  const r = await api('POST', '/v1/accounts', { id: 'acc-1' });
  assert.equal(r.status, 201);
  const catalogue = (await api('GET', '/v1/event-types')).body.data;
  // endpoint.disabled is raised by Herald itself: posting it is refused before its payload.
  const system = await api('POST', '/v1/events', {
    type: 'endpoint.disabled',
    data: sampleData('endpoint.disabled'),
  });
  assertApiError(system, 422, { field: 'type', code: 'system_event_type' });
  for (const type of catalogue.filter((t: { type: string }) => t.type !== 'endpoint.disabled')) {
    await t.test(type.type, async () => {
      const base = () => ({
        type: type.type,
        ...(type.hasAccount ? { accountId: 'acc-1' } : {}),
        data: sampleData(type.type),
      });
      const [group] = type.schema.required as string[];
      const groupSchema = type.schema.properties[group];
      const [field] = groupSchema.required as string[];
      const send = (data: unknown) => api('POST', '/v1/events', { ...base(), data });

      assertApiError(await send({}), 422, { field: `data.${group}` });
      const wrong = { ...base().data };
      wrong[group] = {
        ...(wrong[group] as object),
        [field]: wrongValue(groupSchema.properties[field]),
      };
      assertApiError(await send(wrong), 422, { field: `data.${group}.${field}` });
      const missing = { ...base().data, [group]: { ...(base().data[group] as object) } };
      delete (missing[group] as Record<string, unknown>)[field];
      assertApiError(await send(missing), 422, { field: `data.${group}.${field}` });
      const extra = { ...base().data, [group]: { ...(base().data[group] as object), colour: 1 } };
      assertApiError(await send(extra), 422, { field: `data.${group}.colour` });
      assertApiError(await send({ ...base().data, colour: {} }), 422, { field: 'data.colour' });
      assertApiError(await send([]), 400, { field: 'data' });
    });
  }
  const events = await api('GET', '/v1/events');
  assert.deepEqual(events.body.data, [], 'no refused event was stored');
});

test('a batch accepts its good events and reports each bad one by index', async () => {
  const { api } = await freshOwner(h);
  await api('POST', '/v1/accounts', { id: 'acc-1' });
  const bad = serviceEvent('acc-1');
  delete (bad.data.service as Partial<typeof bad.data.service>).name;
  const r = await api('POST', '/v1/events/batch', {
    events: [
      serviceEvent('acc-1', 'first'),
      bad,
      serviceEvent('acc-1', 'third'),
      { ...serviceEvent('acc-1'), type: 'nope.nope' },
      'not an event',
      { ...serviceEvent('acc-missing') },
    ],
  });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.accepted, 2);
  assert.equal(r.body.rejected, 4);
  const fields = r.body.results.map((x: any) => [x.index, x.status, x.error?.field]);
  assert.deepEqual(fields, [
    [0, 'accepted', undefined],
    [1, 'rejected', 'events[1].data.service.name'],
    [2, 'accepted', undefined],
    [3, 'rejected', 'events[3].type'],
    [4, 'rejected', 'events[4]'],
    [5, 'rejected', 'events[5].accountId'],
  ]);
  assert.match(r.body.results[1].error.message, /data\.service\.name/);
  const stored = await api('GET', '/v1/events');
  assert.deepEqual(
    stored.body.data.map((e: any) => e.id),
    [r.body.results[0].event.id, r.body.results[2].event.id],
  );
});

test('a batch over the size limit is refused whole', async () => {
  const { api } = await freshOwner(h);
  await api('POST', '/v1/accounts', { id: 'acc-1' });
  const max = h.herald.config.maxBatchSize;
  const events = Array.from({ length: max + 1 }, () => serviceEvent('acc-1'));
  const r = await api('POST', '/v1/events/batch', { events });
  assertApiError(r, 413, { field: 'events', code: 'batch_too_large', mentions: [String(max)] });
  assert.deepEqual((await api('GET', '/v1/events')).body.data, []);
});
