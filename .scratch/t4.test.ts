import { test } from 'node:test';
import { emailOwner, heraldPerFile } from '../test/email/fixtures-email-owner.ts';
import { settled } from '../test/e2e/api-steps.ts';
const herald = heraldPerFile();
for (const [tls, opts] of [['implicit', {}], ['starttls', {}], ['none', { requireStartTls: true }], ['starttls', {secure: true}]] as const)
test('x ' + tls, async (t) => {
  const o = await emailOwner(t, herald());
  const sink = await o.sink(opts as any);
  await o.profile(sink, tls);
  await o.cannedEmail({ text: 'never sent', to: [{ address: 'to@customer.example' }] });
  await o.account('acc-1');
  const id = await o.post('acc-1');
  const d = await settled(o.call, id, tls === 'starttls' && (opts as any).secure ? 'pending' : 'failed', 40000);
  console.log(JSON.stringify(d.attempts.map((a: any) => [a.errorCode, a.error, a.statusCode, a.responseBody])));
});
