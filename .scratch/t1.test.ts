import { test } from 'node:test';
import { startTestHerald } from '/work/main/test/helpers/herald-harness.ts';
import { startSmtpSink } from '/work/main/test/helpers/smtp-sink.ts';
test('x', async () => {
  let t0 = Date.now();
  const h = await startTestHerald();
  console.log('start', Date.now() - t0); t0 = Date.now();
  const s = await startSmtpSink();
  console.log('sink', Date.now() - t0); t0 = Date.now();
  await h.stop();
  console.log('stop', Date.now() - t0); t0 = Date.now();
  await s.close();
  console.log('close', Date.now() - t0);
});
