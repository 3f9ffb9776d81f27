/** Settings read from the environment: a bad one stops Herald with its name. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';

test('HERALD_WEBHOOK_CA_FILE adds the PEM file it names to the trusted receivers', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'herald-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'ca.pem');
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  await writeFile(file, pem);
  const env = { HERALD_DATA_DIR: dir, HERALD_SECRET_KEY: 'k'.repeat(32) };
  assert.equal(loadConfig({ ...env, HERALD_WEBHOOK_CA_FILE: file }).webhookCa, pem);
  assert.equal(loadConfig(env).webhookCa, undefined);
  assert.throws(() => loadConfig({ ...env, HERALD_WEBHOOK_CA_FILE: join(dir, 'missing.pem') }), {
    message: /HERALD_WEBHOOK_CA_FILE: cannot read .*missing\.pem \(ENOENT\)/,
  });
});

test('workers read records through a cache of HERALD_RECORD_CACHE_MS, 1 s by default', () => {
  const env = { HERALD_DATA_DIR: tmpdir(), HERALD_SECRET_KEY: 'k'.repeat(32) };
  assert.equal(loadConfig(env).recordCacheMs, 1000);
  assert.equal(loadConfig({ ...env, HERALD_RECORD_CACHE_MS: '0' }).recordCacheMs, 0);
  assert.throws(() => loadConfig({ ...env, HERALD_RECORD_CACHE_MS: 'soon' }), {
    message: /HERALD_RECORD_CACHE_MS must be a whole number/,
  });
});
