import { test } from 'node:test';
import { emailOwner, heraldPerFile } from '../test/email/fixtures-email-owner.ts';
import { settled } from '../test/e2e/api-steps.ts';
const herald = heraldPerFile();
test('x', async (t) => {
  let t0 = Date.now(); const lap = (w: string) => { console.log(w, Date.now() - t0); t0 = Date.now(); };
  const o = await emailOwner(t, herald()); lap('owner');
  const sink = await o.sink({}); lap('sink');
  await o.profile(sink, 'implicit'); lap('profile');
  await o.cannedEmail({ text: 'never sent', to: [{ address: 'to@customer.example' }] }); lap('canned');
  await o.account('acc-1'); lap('account');
  const id = await o.post('acc-1'); lap('post');
  await settled(o.call, id, 'failed'); lap('settled');
});
