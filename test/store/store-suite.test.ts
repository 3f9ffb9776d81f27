/**
 * The storage suite: one set of behaviours every backend must show, run over
 * SQLite always and over PostgreSQL when HERALD_TEST_DATABASE_URL is set. Each
 * test gets an empty store of its own.
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import {
  MissingReference,
  RecordGone,
  UniqueViolation,
  type RecordWrite,
  type Store,
} from '../../src/store/store.ts';
import { backends, closeBackends, type OpenedStore } from './backends.ts';
import { delivery, event, ids, owner, queue } from './fixtures.ts';

const LEASE = 30_000;

/** An API key of own-1. */
const apiKey = (id: string) => ({
  id,
  ownerId: 'own-1',
  name: 'ci',
  prefix: `hk_${id}`,
  scopes: ['events:create' as const, 'config' as const],
  createdAt: 5,
});

after(() => closeBackends());

for (const backend of backends()) {
  describe(`the ${backend.name} store`, () => {
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      opened = await backend.open();
      store = opened.store;
      await store.createOwner(owner('own-1', true));
      await store.createOwner(owner('own-2'));
    });
    afterEach(() => opened.cleanup());

    test('keeps owners and counts them', async () => {
      assert.equal(await store.countOwners(), 2);
      const first = await store.getOwner('own-1');
      assert.deepEqual(first, owner('own-1', true));
      await store.updateOwner({ ...first!, name: 'Renamed', alertEmail: 'ops@example.com' });
      const renamed = await store.getOwner('own-1');
      assert.equal(renamed?.name, 'Renamed');
      assert.equal(renamed?.alertEmail, 'ops@example.com');
      assert.equal(await store.getOwner('own-9'), undefined);
    });

    test('finds API keys by secret hash and deletes them per owner', async () => {
      const key = apiKey('key-1');
      await store.createApiKey(key, 'hash-1');
      await store.createApiKey({ ...key, id: 'key-2', createdAt: 6 }, 'hash-2');
      const found = await store.findKeyWithRecordsVersion('hash-1');
      assert.deepEqual(found?.key, key);
      assert.equal(typeof found?.recordsVersion, 'string', 'the owner has a records version');
      assert.equal(await store.findKeyWithRecordsVersion('nope'), undefined);
      assert.deepEqual(ids(await store.listApiKeys('own-1')), ['key-1', 'key-2']);
      assert.equal(await store.deleteApiKey('own-2', 'key-1'), false);
      assert.equal(await store.deleteApiKey('own-1', 'key-1'), true);
      assert.deepEqual(ids(await store.listApiKeys('own-1')), ['key-2']);
    });

    test("gives an owner's records a new version on every change to them", async () => {
      await store.createApiKey({ ...apiKey('key-v'), scopes: ['events:create'] }, 'hash-v');
      const version = async () => (await store.findKeyWithRecordsVersion('hash-v'))!.recordsVersion;

      // Each change gives a value never seen before (a count could come round again).
      const seen = [await version()];
      const changed = async (what: string, change: () => Promise<unknown>) => {
        await change();
        const now = await version();
        assert.ok(!seen.includes(now), `${what} left the version at ${now}, seen before`);
        seen.push(now);
      };
      const profile = (id: string) => ({
        ownerId: 'own-1',
        kind: 'smtp-profile' as const,
        id,
        doc: { id },
      });
      await changed('an insert', () => store.putRecords([profile('p1'), profile('p2')]));
      await changed('a replace', () => store.putRecords([profile('p1')]));
      await changed('a merge', () => store.mergeRecord('own-1', 'smtp-profile', 'p1', { a: 1 }));
      await changed('a default move', () => store.makeDefault('own-1', 'smtp-profile', 'p2'));
      await changed('a delete', () => store.deleteRecord('own-1', 'smtp-profile', 'p1'));
      await changed('a guarded delete', () =>
        store.deleteRecordGuarded('own-1', 'smtp-profile', 'p2', {}),
      );

      // Another owner's changes leave this owner's version alone.
      const before = await version();
      await store.putRecords([{ ...profile('p9'), ownerId: 'own-2' }]);
      assert.equal(await version(), before);
    });

    test('stores records per owner and kind, and replaces them in place', async () => {
      await store.putRecords([
        { ownerId: 'own-1', kind: 'account', id: 'a1', doc: { id: 'a1', name: 'Ann' } },
        { ownerId: 'own-1', kind: 'account', id: 'a2', doc: { id: 'a2', tags: ['x', 'y'] } },
        { ownerId: 'own-2', kind: 'account', id: 'a1', doc: { id: 'a1', name: 'Other' } },
      ]);
      await store.putRecords([
        { ownerId: 'own-1', kind: 'account', id: 'a1', doc: { id: 'a1', name: 'Anna' } },
      ]);
      const a1 = await store.getRecord<{ name: string }>('own-1', 'account', 'a1');
      assert.equal(a1?.doc.name, 'Anna');
      assert.ok(a1!.updatedAt >= a1!.createdAt, 'updated before it was created');
      const list = await store.listRecords('own-1', 'account');
      assert.deepEqual(ids(list), ['a1', 'a2']);
      assert.deepEqual(list[1].doc, { id: 'a2', tags: ['x', 'y'] });
      assert.equal(await store.getRecord('own-1', 'endpoint', 'a1'), undefined);
      assert.equal(await store.deleteRecord('own-1', 'account', 'a1'), true);
      assert.equal(await store.deleteRecord('own-1', 'account', 'a1'), false);
      const other = await store.getRecord<{ name: string }>('own-2', 'account', 'a1');
      assert.equal(other?.doc.name, 'Other');
    });

    test('refuses a taken unique key and writes nothing of that call', async () => {
      const kind = 'contact-type';
      await store.putRecords([
        { ownerId: 'own-1', kind, id: 'ct1', doc: { name: 'billing' }, uniqueKey: 'billing' },
      ]);
      await assert.rejects(
        store.putRecords([
          { ownerId: 'own-1', kind, id: 'ct2', doc: { name: 'service' }, uniqueKey: 'service' },
          { ownerId: 'own-1', kind, id: 'ct3', doc: { name: 'billing' }, uniqueKey: 'billing' },
        ]),
        UniqueViolation,
      );
      assert.equal(await store.getRecord('own-1', kind, 'ct2'), undefined);
      // The same key is free for another owner.
      await store.putRecords([
        { ownerId: 'own-2', kind, id: 'ct1', doc: { name: 'billing' }, uniqueKey: 'billing' },
      ]);
      const found = await store.findRecordByUniqueKey('own-1', kind, 'billing');
      assert.equal(found?.id, 'ct1');
    });

    test('swaps unique keys between records in one call and keeps keys left unset', async () => {
      const kind = 'contact-type';
      await store.putRecords([
        { ownerId: 'own-1', kind, id: 'ct1', doc: { v: 1 }, uniqueKey: 'billing' },
        { ownerId: 'own-1', kind, id: 'ct2', doc: { v: 1 }, uniqueKey: 'service' },
      ]);
      await store.putRecords([
        { ownerId: 'own-1', kind, id: 'ct1', doc: { v: 2 }, uniqueKey: 'service' },
        { ownerId: 'own-1', kind, id: 'ct2', doc: { v: 2 }, uniqueKey: 'billing' },
      ]);
      assert.equal((await store.findRecordByUniqueKey('own-1', kind, 'billing'))?.id, 'ct2');
      await store.putRecords([{ ownerId: 'own-1', kind, id: 'ct1', doc: { v: 3 } }]);
      const kept = await store.getRecord('own-1', kind, 'ct1');
      assert.equal(kept?.uniqueKey, 'service');
      assert.deepEqual(kept?.doc, { v: 3 });
    });

    test('moves the default between records, one default under concurrent calls', async () => {
      const kind = 'smtp-profile';
      const profiles: RecordWrite<unknown>[] = Array.from({ length: 8 }, (_, i) => ({
        ownerId: 'own-1',
        kind,
        id: `smtp-${i}`,
        doc: { id: `smtp-${i}`, isDefault: false },
      }));
      await store.putRecords(profiles);
      assert.equal(await store.makeDefault('own-1', kind, 'smtp-0'), true);
      assert.equal(await store.makeDefault('own-1', kind, 'missing'), false);

      const others = await opened.another();
      const calls = profiles.flatMap((p, i) => {
        const via = i % 2 === 0 ? store : others;
        return [via.makeDefault('own-1', kind, p.id), via.makeDefault('own-1', kind, p.id)];
      });
      assert.ok((await Promise.all(calls)).every(Boolean), 'a call failed');

      const list = await store.listRecords<{ isDefault: boolean }>('own-1', kind);
      const defaults = list.filter((r) => r.uniqueKey === 'default');
      assert.equal(defaults.length, 1, JSON.stringify(list));
      assert.deepEqual(
        list.filter((r) => r.doc.isDefault).map((r) => r.id),
        [defaults[0].id],
      );
    });

    test('a write taking a flag clears it on the others, one holder when racing', async () => {
      const kind = 'contact-type';
      const type = (id: string, flags: { isBilling?: boolean; isEmailDefault?: boolean } = {}) => ({
        ownerId: 'own-1',
        kind: kind as 'contact-type',
        id,
        doc: { id, name: id, isBilling: false, isEmailDefault: false, ...flags },
        uniqueKey: id,
        takesFlags: Object.keys(flags),
      });
      const holders = async (flag: 'isBilling' | 'isEmailDefault') =>
        (await store.listRecords<Record<string, boolean>>('own-1', kind))
          .filter((r) => r.doc[flag])
          .map((r) => r.id);
      await store.putRecords([type('t1', { isBilling: true, isEmailDefault: true })]);
      await store.putRecords([type('t2', { isBilling: true })]);
      assert.deepEqual(await holders('isBilling'), ['t2'], 'billing moved to t2');
      assert.deepEqual(await holders('isEmailDefault'), ['t1'], 'the email default stayed');
      // Another owner's flags are its own.
      await store.putRecords([{ ...type('t9', { isBilling: true }), ownerId: 'own-2' }]);
      assert.deepEqual(await holders('isBilling'), ['t2']);

      const others = await opened.another();
      const ids = Array.from({ length: 8 }, (_, i) => `r${i}`);
      await Promise.all(
        ids.flatMap((id, i) => {
          const via = i % 2 === 0 ? store : others;
          return [
            via.putRecords([type(id, { isBilling: true })]),
            via.putRecords([type(id, { isBilling: true, isEmailDefault: true })]),
          ];
        }),
      );
      // Every write sets billing; a type's last write may turn its email default off.
      assert.equal((await holders('isBilling')).length, 1, 'one billing type');
      assert.ok((await holders('isEmailDefault')).length <= 1, 'two email defaults');
      await store.putRecords([type('r0', { isEmailDefault: true })]);
      assert.deepEqual(await holders('isEmailDefault'), ['r0']);
    });

    test('deletes a record only when its guard allows, naming what blocks it', async () => {
      const profile = (id: string) => ({
        ownerId: 'own-1',
        kind: 'smtp-profile' as const,
        id,
        doc: { id },
      });
      await store.putRecords([profile('p1'), profile('p2'), profile('p3')]);
      await store.makeDefault('own-1', 'smtp-profile', 'p1');
      const template = { id: 't1', smtpProfileId: 'p2' };
      await store.putRecords([
        { ownerId: 'own-1', kind: 'email-template', id: 't1', doc: template },
      ]);
      const guard = {
        unlessUniqueKey: 'default',
        unlessReferencedBy: { kind: 'email-template' as const, field: 'smtpProfileId' },
      };
      const del = (id: string, ownerId = 'own-1') =>
        store.deleteRecordGuarded(ownerId, 'smtp-profile', id, guard);

      assert.deepEqual(await del('p1'), { outcome: 'holds-unique-key' });
      const used = await del('p2');
      assert.equal(used.outcome, 'referenced');
      assert.equal(used.outcome === 'referenced' && used.by.id, 't1');
      assert.deepEqual(await del('p3', 'own-2'), { outcome: 'missing' });
      assert.deepEqual(await del('p3'), { outcome: 'deleted' });
      assert.deepEqual(await del('p3'), { outcome: 'missing' });
      const left = await store.listRecords('own-1', 'smtp-profile');
      assert.deepEqual(
        left.map((r) => r.id),
        ['p1', 'p2'],
      );
    });

    test('refuses an edit of a deleted record and a write naming a missing one', async () => {
      const doc = { id: 'e1' };
      await assert.rejects(
        store.putRecords([{ ownerId: 'own-1', kind: 'endpoint', id: 'e1', doc, existing: true }]),
        (error) => error instanceof RecordGone && error.id === 'e1',
      );
      const refersTo = [{ kind: 'endpoint' as const, id: 'e1', field: 'endpointId' }];
      const sub = { ownerId: 'own-1', kind: 'subscription' as const, id: 's1', doc, refersTo };
      await assert.rejects(
        store.putRecords([sub]),
        (error) => error instanceof MissingReference && error.reference.field === 'endpointId',
      );
      assert.equal(await store.getRecord('own-1', 'endpoint', 'e1'), undefined);
      assert.equal(await store.getRecord('own-1', 'subscription', 's1'), undefined);

      await store.putRecords([{ ownerId: 'own-2', kind: 'endpoint', id: 'e1', doc }]);
      await assert.rejects(store.putRecords([sub]), MissingReference, "another owner's is no use");
      await store.putRecords([{ ownerId: 'own-1', kind: 'endpoint', id: 'e1', doc }]);
      await store.putRecords([sub, { ...sub, id: 's2', existing: false }]);
      assert.ok(await store.getRecord('own-1', 'subscription', 's1'), 'the subscription is stored');
    });

    test('a guarded delete racing a default move or a reference never splits them', async () => {
      const others = await opened.another();
      const kind = 'smtp-profile' as const;
      await store.putRecords([{ ownerId: 'own-1', kind, id: 'base', doc: {} }]);
      await store.makeDefault('own-1', kind, 'base');
      const guard = {
        unlessUniqueKey: 'default',
        unlessReferencedBy: { kind: 'email-template' as const, field: 'smtpProfileId' },
      };
      for (let round = 0; round < 20; round++) {
        const id = `p${round}`;
        await store.putRecords([{ ownerId: 'own-1', kind, id, doc: {} }]);
        const template = {
          ownerId: 'own-1',
          kind: 'email-template' as const,
          id: `t${round}`,
          doc: { smtpProfileId: id },
          refersTo: [{ kind, id, field: 'smtpProfileId' }],
        };
        const racer =
          round % 2 === 0 ? others.makeDefault('own-1', kind, id) : others.putRecords([template]);
        const [deleted, raced] = await Promise.allSettled([
          store.deleteRecordGuarded('own-1', kind, id, guard),
          racer,
        ]);
        assert.equal(deleted.status, 'fulfilled');
        const outcome = deleted.status === 'fulfilled' && deleted.value.outcome;
        const profiles = await store.listRecords('own-1', kind);
        const defaults = profiles.filter((r) => r.uniqueKey === 'default');
        assert.equal(defaults.length, 1, `round ${round}: ${outcome}`);
        const exists = profiles.some((r) => r.id === id);
        assert.equal(exists, outcome !== 'deleted', `round ${round}`);
        if (round % 2 === 1) {
          const saved = await store.getRecord('own-1', 'email-template', `t${round}`);
          assert.equal(Boolean(saved), exists, `round ${round}: template without its profile`);
          assert.equal(raced.status === 'fulfilled', exists, `round ${round}`);
        }
        if (exists && defaults[0].id === id) await store.makeDefault('own-1', kind, 'base');
      }
    });

    test('merges a patch into a record, removing fields set to null', async () => {
      const doc = { id: 'e1', enabled: true, failingSince: 5, auth: { type: 'basic', u: 'x' } };
      await store.putRecords([{ ownerId: 'own-1', kind: 'endpoint', id: 'e1', doc }]);
      const patch = { failingSince: null, auth: { u: null, scope: 's' }, extra: { a: 1 } };
      assert.equal(await store.mergeRecord('own-1', 'endpoint', 'e1', patch), true);
      assert.deepEqual((await store.getRecord('own-1', 'endpoint', 'e1'))?.doc, {
        id: 'e1',
        enabled: true,
        auth: { type: 'basic', scope: 's' },
        extra: { a: 1 },
      });
      assert.equal(await store.mergeRecord('own-1', 'endpoint', 'nope', { a: 1 }), false);
    });

    test('accepts events with their deliveries, in the order given', async () => {
      const result = await store.acceptEvents('own-1', [
        event('own-1', 'evt-1', [delivery('del-1'), delivery('del-2', { channel: 'email' })]),
        event('own-1', 'evt-2', [delivery('del-3')]),
      ]);
      assert.deepEqual(result, { kind: 'created' });
      const first = await store.getEvent('own-1', 'evt-1');
      const second = await store.getEventById('evt-2');
      assert.ok(first && second && second.seq > first.seq, 'sequence numbers rise');
      assert.equal(first.status, 'accepted');
      assert.deepEqual(first.data, { invoice: { id: 'inv-evt-1', total: 12.5 } });
      assert.deepEqual(first.account, { id: 'acc-1', name: 'Zoë' });
      assert.equal(await store.getEvent('own-2', 'evt-1'), undefined);
      // Read in one go, for a claimed batch: the owner's own, missing ones left out.
      const batch = await store.getEvents('own-1', ['evt-2', 'evt-1', 'evt-none']);
      assert.deepEqual(batch.map((e) => e.id).sort(), ['evt-1', 'evt-2']);
      assert.deepEqual(
        batch.find((e) => e.id === 'evt-1'),
        first,
      );
      assert.deepEqual(await store.getEvents('own-2', ['evt-1']), []);
      assert.deepEqual(await store.getEvents('own-1', []), []);

      const all = await store.listDeliveries('own-1', { limit: 10 });
      assert.deepEqual(ids(all), ['del-1', 'del-2', 'del-3']);
      assert.ok(
        all.every((d, i) => i === 0 || d.seq > all[i - 1].seq),
        'deliveries out of sequence',
      );
      const [d1] = all;
      assert.equal(d1.status, 'pending');
      assert.equal(d1.attempts, 0);
      assert.equal(d1.nextAttemptAt, 1000);
      assert.equal(d1.eventType, 'invoice.created');
      assert.equal(d1.accountId, 'acc-1');
      assert.equal(d1.ordered, false);
      assert.equal(d1.leaseUntil, null);
    });

    test('replays a repeated idempotency key and refuses one reused for another body', async () => {
      const key = { key: 'idem-1', requestHash: 'h1', response: { id: 'evt-1', n: [1, 2] } };
      const first = await store.acceptEvents('own-1', [event('own-1', 'evt-1')], key);
      assert.deepEqual(first, { kind: 'created' });
      const again = await store.acceptEvents('own-1', [event('own-1', 'evt-x')], key);
      assert.deepEqual(again, { kind: 'replay', response: { id: 'evt-1', n: [1, 2] } });
      const other = { ...key, requestHash: 'h2' };
      assert.deepEqual(await store.acceptEvents('own-1', [event('own-1', 'evt-y')], other), {
        kind: 'conflict',
      });
      assert.equal(await store.getEvent('own-1', 'evt-x'), undefined);
      // Keys belong to their owner.
      const elsewhere = await store.acceptEvents('own-2', [event('own-2', 'evt-z')], key);
      assert.deepEqual(elsewhere, { kind: 'created' });
    });

    test('queues work once when requests with one idempotency key race', async () => {
      const others = await opened.another();
      const key = { key: 'race', requestHash: 'h', response: { ok: true } };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? others : store).acceptEvents(
            'own-1',
            [event('own-1', `evt-${i}`, [delivery(`del-${i}`)])],
            key,
          ),
        ),
      );
      assert.equal(results.filter((r) => r.kind === 'created').length, 1);
      assert.ok(
        results.every((r) => r.kind !== 'conflict'),
        'a conflict was reported',
      );
      assert.equal((await store.listDeliveries('own-1', { limit: 100 })).length, 1);
      assert.equal((await store.listEvents('own-1', 0, 100)).length, 1);
    });

    test('answers each of many concurrent intakes of one owner as if it came alone', async () => {
      const reused = { key: 'k', requestHash: 'first', response: { n: 1 } };
      const misused = { ...reused, requestHash: 'other' };
      const calls = Array.from({ length: 40 }, (_, i) => {
        const events = [event('own-1', `evt-${i}`, [delivery(`del-${i}`)])];
        const key =
          i < 10
            ? undefined
            : i < 20
              ? { key: `own-${i}`, requestHash: `h${i}`, response: { i } }
              : i < 30
                ? reused
                : misused;
        return store.acceptEvents('own-1', events, key);
      });
      const results = await Promise.all(calls);
      const kinds = results.map((r) => r.kind);
      assert.deepEqual(kinds.slice(0, 20), Array(20).fill('created'));
      assert.equal(kinds[20], 'created', 'the first use of a key is kept');
      assert.deepEqual(kinds.slice(21, 30), Array(9).fill('replay'));
      assert.deepEqual(kinds.slice(30), Array(10).fill('conflict'));
      const replay = results[21];
      assert.deepEqual(replay.kind === 'replay' && replay.response, { n: 1 });

      const stored = await store.listEvents('own-1', 0, 100);
      const expected = [...Array(21).keys()].map((i) => `evt-${i}`);
      assert.deepEqual(
        stored.map((e) => e.id),
        expected,
        'stored once each, in the order they came',
      );
      assert.equal((await store.listDeliveries('own-1', { limit: 100 })).length, 21);
    });

    test('a concurrent intake that cannot be stored fails alone', async () => {
      const results = await Promise.allSettled([
        store.acceptEvents('own-1', [event('own-1', 'evt-a', [delivery('del-a')])]),
        store.acceptEvents('own-1', [event('own-1', 'evt-same', [delivery('del-b')])]),
        store.acceptEvents('own-1', [event('own-1', 'evt-same', [delivery('del-c')])]),
        store.acceptEvents('own-1', [event('own-1', 'evt-d', [delivery('del-d')])]),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      const stored = await store.listEvents('own-1', 0, 100);
      assert.deepEqual(
        stored.map((e) => e.id),
        ['evt-a', 'evt-same', 'evt-d'],
      );
      const deliveries = await store.listDeliveries('own-1', { limit: 100 });
      assert.deepEqual(deliveries.map((d) => d.id).sort(), ['del-a', 'del-b', 'del-d']);
    });

    test('lists events after a cursor, per owner', async () => {
      const batch = Array.from({ length: 5 }, (_, i) => event('own-1', `evt-${i}`));
      await store.acceptEvents('own-1', batch);
      await store.acceptEvents('own-2', [event('own-2', 'evt-other')]);
      const page1 = await store.listEvents('own-1', 0, 2);
      assert.deepEqual(ids(page1), ['evt-0', 'evt-1']);
      const page2 = await store.listEvents('own-1', page1[1].seq, 10);
      assert.deepEqual(ids(page2), ['evt-2', 'evt-3', 'evt-4']);
      assert.deepEqual(await store.listEvents('own-1', page2[2].seq, 10), []);
    });

    test('claims due deliveries under a lease, counting the attempt', async () => {
      await queue(store, 'own-1', [delivery('d1'), delivery('d2'), delivery('d3')], 1000);
      await queue(store, 'own-1', [delivery('later')], 5000);
      const claimed = await store.claimDeliveries(2000, 2, LEASE);
      assert.deepEqual(ids(claimed), ['d1', 'd2']);
      for (const d of claimed) {
        assert.equal(d.status, 'in_flight');
        assert.equal(d.attempts, 1);
        assert.equal(d.leaseUntil, 2000 + LEASE);
      }
      assert.deepEqual(ids(await store.claimDeliveries(2000, 10, LEASE)), ['d3']);
      assert.deepEqual(await store.claimDeliveries(2000, 10, LEASE), []);
      assert.deepEqual(ids(await store.claimDeliveries(5000, 10, LEASE)), ['later']);
    });

    test('returns deliveries whose lease ran out to the queue', async () => {
      await queue(store, 'own-1', [delivery('d1'), delivery('d2')]);
      await store.claimDeliveries(1000, 1, 100);
      await store.claimDeliveries(1050, 1, 100);
      assert.equal(await store.releaseExpiredLeases(1101), 1);
      const d1 = await store.getDelivery('own-1', 'd1');
      assert.equal(d1?.status, 'pending');
      assert.equal(d1?.leaseUntil, null);
      assert.equal((await store.getDelivery('own-1', 'd2'))?.status, 'in_flight');
      const retaken = await store.claimDeliveries(1101, 10, 100);
      assert.deepEqual(ids(retaken), ['d1']);
      assert.equal(retaken[0].attempts, 2);
    });

    test('holds ordered deliveries of one key behind the head, key by key', async () => {
      const ordered = (id: string, orderingKey: string | null, targetId = 'end-1') =>
        delivery(id, { ordered: true, orderingKey, targetId });
      await queue(store, 'own-1', [
        ordered('a1', 'acc-a'),
        ordered('b1', 'acc-b'),
        ordered('a2', 'acc-a'),
        ordered('n1', null),
        ordered('n2', null),
        ordered('a1-other-target', 'acc-a', 'end-2'),
        delivery('u1', { orderingKey: 'acc-a' }),
      ]);
      let claimed = await store.claimDeliveries(1000, 100, LEASE);
      assert.deepEqual(ids(claimed), ['a1', 'b1', 'n1', 'a1-other-target', 'u1']);
      assert.deepEqual(await store.claimDeliveries(1000, 100, LEASE), []);

      // A head that failed and waits for its retry still holds the rest of its key.
      const a1 = claimed[0];
      await store.completeDelivery(a1, { status: 'pending', nextAttemptAt: 9000 }, 1500);
      assert.deepEqual(await store.claimDeliveries(2000, 100, LEASE), []);
      claimed = await store.claimDeliveries(9000, 100, LEASE);
      assert.deepEqual(ids(claimed), ['a1']);
      await store.completeDelivery(claimed[0], { status: 'succeeded' }, 9001);
      assert.deepEqual(ids(await store.claimDeliveries(9002, 100, LEASE)), ['a2']);
    });

    test('records an outcome with its attempt, and refunds a skipped one', async () => {
      await queue(store, 'own-1', [delivery('d1')]);
      let [d1] = await store.claimDeliveries(1000, 1, LEASE);
      const attempt = {
        id: 'att-1',
        number: 1,
        startedAt: 1001,
        durationMs: 42,
        ok: false,
        statusCode: 503,
        errorCode: 'http_503',
        error: 'receiver answered 503',
        responseBody: 'busy',
        request: { headers: { 'webhook-id': 'msg_1' } },
      };
      await store.completeDelivery(
        d1,
        { status: 'pending', nextAttemptAt: 2000, lastError: 'receiver answered 503', attempt },
        1050,
      );
      let stored = await store.getDelivery('own-1', 'd1');
      assert.equal(stored?.status, 'pending');
      assert.equal(stored?.nextAttemptAt, 2000);
      assert.equal(stored?.leaseUntil, null);
      assert.equal(stored?.completedAt, null);
      assert.equal(stored?.lastError, 'receiver answered 503');
      assert.deepEqual(await store.listAttempts('own-1', 'd1'), [
        { ...attempt, deliveryId: 'd1', ownerId: 'own-1' },
      ]);
      assert.deepEqual(await store.listAttempts('own-2', 'd1'), []);

      [d1] = await store.claimDeliveries(2000, 1, LEASE);
      assert.equal(d1.attempts, 2);
      await store.completeDelivery(d1, { status: 'pending', refundAttempt: true }, 2001);
      stored = await store.getDelivery('own-1', 'd1');
      assert.equal(stored?.attempts, 1);
      assert.equal(stored?.lastError, 'receiver answered 503', 'an unset lastError is kept');

      [d1] = await store.claimDeliveries(2001, 1, LEASE);
      await store.completeDelivery(d1, { status: 'succeeded', lastError: null }, 2100);
      stored = await store.getDelivery('own-1', 'd1');
      assert.equal(stored?.status, 'succeeded');
      assert.equal(stored?.completedAt, 2100);
      assert.equal(stored?.lastError, null);
      assert.equal(stored?.attempts, 2);
    });

    test('records a batch of outcomes of several owners, each fenced by its lease', async () => {
      await queue(store, 'own-1', [delivery('a1'), delivery('a2'), delivery('a3')]);
      await queue(store, 'own-2', [delivery('b1')]);
      const claimed = await store.claimDeliveries(1000, 10, LEASE);
      const byId = new Map(claimed.map((d) => [d.id, d]));
      const attempt = (id: string, ok: boolean) => ({
        id,
        number: 1,
        startedAt: 1001,
        durationMs: 5,
        ok,
        statusCode: ok ? 200 : 500,
        errorCode: ok ? null : 'http_500',
        error: ok ? null : 'receiver answered 500',
        responseBody: null,
        request: { note: 'quote " and backslash \\' },
      });
      const stale = { ...byId.get('a3')!, leaseUntil: 1 };
      await store.completeDeliveries([
        {
          delivery: byId.get('a1')!,
          outcome: { status: 'succeeded', lastError: null, attempt: attempt('t1', true) },
          now: 1100,
        },
        {
          delivery: byId.get('b1')!,
          outcome: { status: 'failed', lastError: 'no', attempt: attempt('t2', false) },
          now: 1101,
        },
        {
          delivery: byId.get('a2')!,
          outcome: { status: 'pending', refundAttempt: true },
          now: 1102,
        },
        {
          delivery: stale,
          outcome: { status: 'succeeded', attempt: attempt('t3', true) },
          now: 1103,
        },
      ]);
      const status = async (owner: string, id: string) =>
        (await store.getDelivery(owner, id))?.status;
      assert.equal(await status('own-1', 'a1'), 'succeeded');
      assert.equal(await status('own-2', 'b1'), 'failed');
      assert.equal(await status('own-1', 'a2'), 'pending');
      assert.equal(await status('own-1', 'a3'), 'in_flight', 'a stale lease decides nothing');
      assert.equal((await store.listAttempts('own-1', 'a3')).length, 1, 'its attempt is kept');
      const [logged] = await store.listAttempts('own-1', 'a1');
      assert.deepEqual(logged.request, { note: 'quote " and backslash \\' });

      const feed = await store.listDeliveryOutcomes('own-1', 0, 10);
      const seqs = feed.map((d) => d.outcomeSeq);
      assert.deepEqual(
        [...seqs].sort((x, y) => x - y),
        seqs,
      );
      assert.equal(new Set(seqs).size, seqs.length, 'each outcome has a number of its own');
      assert.deepEqual(
        feed.map((d) => d.id),
        ['a1', 'a2'],
        'the stale one is not in the feed',
      );
    });

    test(
      'drops the outcome of a worker whose lease was taken over, keeping its attempt ' + '',
      async () => {
        await queue(store, 'own-1', [delivery('d1')]);
        const [late] = await store.claimDeliveries(1000, 1, 100);
        await store.releaseExpiredLeases(1200);
        const [current] = await store.claimDeliveries(1200, 1, 100);
        const attempt = (id: string) => ({
          id,
          number: 1,
          startedAt: 1000,
          durationMs: 5,
          ok: true,
          statusCode: 200,
          errorCode: null,
          error: null,
          responseBody: 'ok',
          request: {},
        });

        await store.completeDelivery(late, { status: 'succeeded', attempt: attempt('a1') }, 1250);
        assert.equal((await store.getDelivery('own-1', 'd1'))?.status, 'in_flight');
        await store.completeDelivery(
          current,
          { status: 'succeeded', attempt: attempt('a2') },
          1260,
        );
        const done = await store.getDelivery('own-1', 'd1');
        assert.equal(done?.status, 'succeeded');
        assert.equal(done?.completedAt, 1260);
        assert.deepEqual(ids(await store.listAttempts('own-1', 'd1')), ['a1', 'a2']);
      },
    );

    test('requeues a finished delivery, never one still queued', async () => {
      await queue(store, 'own-1', [delivery('d1'), delivery('d2')]);
      const [d1] = await store.claimDeliveries(1000, 1, LEASE);
      await store.completeDelivery(d1, { status: 'failed', lastError: 'gone' }, 1100);
      assert.equal(await store.requeueDelivery('own-1', 'd2', 1200), undefined);
      assert.equal(await store.requeueDelivery('own-2', 'd1', 1200), undefined);
      const requeued = await store.requeueDelivery('own-1', 'd1', 1200);
      const again = await store.getDelivery('own-1', 'd1');
      assert.deepEqual(requeued, again, 'it answers with the delivery as it now stands');
      assert.equal(again?.status, 'pending');
      assert.equal(again?.attempts, 0);
      assert.equal(again?.nextAttemptAt, 1200);
      assert.equal(again?.completedAt, null);
      assert.equal(again?.updatedAt, 1200);
    });

    test('requeues the failed deliveries of a target within a time window', async () => {
      const items = ['f1', 'f2', 'f3'].map((id) => delivery(id, { targetId: 'end-9' }));
      await queue(store, 'own-1', [...items, delivery('elsewhere', { targetId: 'end-8' })]);
      const claimed = await store.claimDeliveries(1000, 10, LEASE);
      for (const [i, d] of claimed.entries()) {
        await store.completeDelivery(d, { status: 'failed' }, 2000 + i * 1000);
      }
      assert.equal(await store.requeueFailed('own-1', 'end-9', 2500, 4000), 2);
      const statuses = await Promise.all(
        ['f1', 'f2', 'f3', 'elsewhere'].map(async (id) => {
          return (await store.getDelivery('own-1', id))?.status;
        }),
      );
      assert.deepEqual(statuses, ['failed', 'pending', 'pending', 'failed']);
    });

    test('filters deliveries and pages them by cursor', async () => {
      await store.acceptEvents('own-1', [
        event('own-1', 'evt-1', [delivery('w1'), delivery('m1', { channel: 'email' })]),
        event('own-1', 'evt-2', [delivery('w2', { targetId: 'end-2' })]),
      ]);
      await queue(store, 'own-2', [delivery('x1')]);
      assert.deepEqual(ids(await store.listDeliveries('own-1', { channel: 'email', limit: 9 })), [
        'm1',
      ]);
      const byTarget = await store.listDeliveries('own-1', { targetId: 'end-2', limit: 9 });
      assert.deepEqual(ids(byTarget), ['w2']);
      const byEvent = await store.listDeliveries('own-1', { eventId: 'evt-1', limit: 9 });
      assert.deepEqual(ids(byEvent), ['w1', 'm1']);
      const page = await store.listDeliveries('own-1', { limit: 1 });
      const next = await store.listDeliveries('own-1', { limit: 9, afterSeq: page[0].seq });
      assert.deepEqual(ids(next), ['m1', 'w2']);
      const filtered = { status: 'pending' as const, eventType: 'invoice.created', limit: 9 };
      assert.equal((await store.listDeliveries('own-1', filtered)).length, 3);
      assert.equal(
        (await store.listDeliveries('own-1', { accountId: 'none', limit: 9 })).length,
        0,
      );
    });

    test('counts deliveries by status, per owner or in all', async () => {
      await queue(store, 'own-1', [delivery('d1'), delivery('d2'), delivery('d3')]);
      await queue(store, 'own-2', [delivery('x1')]);
      const [d1] = await store.claimDeliveries(1000, 1, LEASE);
      await store.claimDeliveries(1000, 1, LEASE);
      await store.completeDelivery(d1, { status: 'cancelled', lastError: 'withdrawn' }, 1001);
      assert.deepEqual(await store.countDeliveries('own-1'), {
        pending: 1,
        in_flight: 1,
        succeeded: 0,
        failed: 0,
        cancelled: 1,
      });
      assert.equal((await store.countDeliveries()).pending, 2);
    });

    test('tells when the next pending delivery falls due', async () => {
      assert.equal(await store.nextDueAt(), undefined);
      await queue(store, 'own-1', [delivery('d1')], 3000);
      await queue(store, 'own-2', [delivery('d2')], 2000);
      assert.equal(await store.nextDueAt(), 2000);
      await store.claimDeliveries(2500, 1, LEASE);
      assert.equal(await store.nextDueAt(), 3000);
    });

    test('leaves ordered deliveries held behind their head out of the next due time', async () => {
      const ordered = (id: string) => delivery(id, { ordered: true, orderingKey: 'acc-a' });
      await queue(store, 'own-1', [ordered('h1'), ordered('h2')], 1000);
      await queue(store, 'own-1', [delivery('later')], 8000);
      await store.claimDeliveries(1000, 10, LEASE);
      assert.equal(await store.nextDueAt(), 8000, 'h2 waits for h1, not for a time');
    });

    test('makes the waiting deliveries of a woken target due now', async () => {
      await queue(store, 'own-1', [delivery('d1'), delivery('d2'), delivery('d3')], 1000);
      const claimed = await store.claimDeliveries(1000, 2, LEASE);
      for (const d of claimed) {
        await store.completeDelivery(d, { status: 'pending', nextAttemptAt: 90_000 }, 1000);
      }
      assert.equal(await store.wakeTarget('own-2', 'end-1', 5000), 0);
      assert.equal(await store.wakeTarget('own-1', 'end-1', 5000), 2);
      assert.deepEqual(ids(await store.claimDeliveries(5000, 10, LEASE)), ['d1', 'd2', 'd3']);
    });

    test('runs its migrations again without harm', async () => {
      await queue(store, 'own-1', [delivery('d1')]);
      await store.migrate();
      await (await opened.another()).migrate();
      assert.equal(await store.countOwners(), 2);
      assert.equal((await store.getDelivery('own-1', 'd1'))?.status, 'pending');
    });
  });
}
