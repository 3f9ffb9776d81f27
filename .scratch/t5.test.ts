import { test } from 'node:test';
import { emailOwner, heraldPerFile } from '../test/email/fixtures-email-owner.ts';
import { settled } from '../test/e2e/api-steps.ts';
const herald = heraldPerFile();
test('x', async (t) => {
  const o = await emailOwner(t, herald());
  const sink = await o.sink({secure: true});
  await o.profile(sink, 'starttls');
  await o.cannedEmail({ text: 'never sent', to: [{ address: 'to@customer.example' }] });
  await o.account('acc-1');
  const t0 = Date.now();
  const id = await o.post('acc-1');
  const d = await settled(o.call, id, 'failed', 40000);
  console.log(Date.now() - t0, JSON.stringify(d.attempts.map((a: any) => [a.durationMs, a.errorCode, a.error])));
});
