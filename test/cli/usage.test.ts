import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliWith } from './cli-runner.ts';

const REPO = join(import.meta.dirname, '..', '..');
const cli = cliWith({ HERALD_LOG_LEVEL: 'silent' });

test('herald help lists every command, and help <command> shows its usage', async () => {
  const r = await cli('help');
  assert.equal(r.code, 0);
  for (const name of ['start', 'migrate', 'demo', 'deliveries', 'resend', 'event', 'owners']) {
    assert.match(r.out, new RegExp(`^  ${name} +\\S`, 'm'), `${name} is listed`);
  }
  const one = await cli('help', 'resend');
  assert.match(one.out, /usage: herald resend <deliveryId>/);
  assert.match(one.out, /--since/);
  assert.deepEqual(await cli('deliveries', '--help'), await cli('help', 'deliveries'));
});

test('an unknown command or option fails with exit code 2 and says what is known', async () => {
  let r = await cli('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command "frobnicate"; the commands are start, migrate/);

  r = await cli('deliveries', '--colour', 'red');
  assert.equal(r.code, 2);
  assert.match(r.err, /^herald deliveries: Unknown option '--colour'\n/);
  assert.match(r.err, /usage: herald deliveries/);

  r = await cli('deliveries', '--status', 'lost');
  assert.equal(r.code, 2);
  assert.match(r.err, /--status must be one of pending, in_flight, succeeded, failed, cancelled/);

  r = await cli('event');
  assert.equal(r.code, 2);
  assert.match(r.err, /missing <eventId>/);

  r = await cli('owners', 'extra');
  assert.equal(r.code, 2);
  assert.match(r.err, /takes no arguments \(got extra\)/);

  r = await cli('resend', '--endpoint', 'end_1');
  assert.equal(r.code, 2);
  assert.match(r.err, /--endpoint needs --since/);

  r = await cli('start', '--role', 'boss');
  assert.equal(r.code, 2);
  assert.match(r.err, /--role must be one of all, api, workers/);
});

test('a command without a database says where it looked, creates nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'herald-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'nothing-here');
  const r = await cliWith({ HERALD_DATA_DIR: dataDir })('owners');
  assert.equal(r.code, 1);
  assert.match(r.err, /no Herald database at .*nothing-here.herald\.db: set HERALD_DATA_DIR/);
  assert.equal(existsSync(dataDir), false);
});

test('bin/herald.js runs the CLI as an installed command would', async () => {
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['bin/herald.js', 'help'], { cwd: REPO });
  assert.match(stdout, /^usage: herald <command>/);
  await assert.rejects(run(process.execPath, ['bin/herald.js', 'nope'], { cwd: REPO }), {
    code: 2,
  });
});
