/**
 * Figure 4, email: messages per second from intake to accepted by a local SMTP
 * server (smtp-server, no TLS), one canned email per event to the account's
 * billing contact. Measured in Herald's steady state, like the webhook figure.
 *
 * Raw: nodemailer's pool, as large as the SMTP profile's, sending the message
 * Herald sent (parsed back from the sink), as many at once as Herald's workers.
 */
import { simpleParser, type AddressObject } from 'mailparser';

import { addAccount, addEmail, startBenchHerald } from './support/bench-herald.ts';
import { spawnRole, type RoleProcess } from './support/child-rpc.ts';
import { runFigure, perSecond, type FigureContext, type FigureRow } from './support/figure.ts';
import { startSinkProcess, type SinkHandle } from './support/sink-handle.ts';
import { measureWithBacklog } from './support/steady-backlog.ts';

// Connections to the SMTP server, for Herald's profile and the raw pool alike.
const MAX_CONNECTIONS = 3;
const BACKLOG = 1000;

async function heraldEmail(
  ctx: FigureContext,
  sink: SinkHandle,
  load: RoleProcess,
  timing: { warmUpMs: number; windowMs: number },
) {
  const h = await startBenchHerald({ database: ctx.database, workers: true });
  try {
    await addAccount(h);
    await addEmail(h, sink.port, MAX_CONNECTIONS);
    await sink.reset();
    const run = await measureWithBacklog({
      load,
      target: { url: h.herald.url, key: h.key },
      arrivals: () => sink.count(),
      perEvent: 1,
      backlog: BACKLOG,
      ...timing,
    });
    const first = await sink.first();
    if (!first) throw new Error('the SMTP sink received no message from Herald');
    return { run, first, concurrency: h.config.workerConcurrency };
  } finally {
    await h.stop();
    await h.discard();
  }
}

const mailboxes = (field: AddressObject | AddressObject[] | undefined) =>
  [field ?? []]
    .flat()
    .flatMap((group) => group.value.map((a) => ({ name: a.name, address: a.address ?? '' })));

/** The message as nodemailer takes it, rebuilt from what Herald sent. */
async function messageOf(raw: string) {
  const parsed = await simpleParser(raw);
  const headers: Record<string, string> = {};
  for (const [name, value] of parsed.headers) {
    if (name.startsWith('x-herald-')) headers[name] = String(value);
  }
  return {
    from: mailboxes(parsed.from)[0],
    to: mailboxes(parsed.to),
    subject: parsed.subject ?? '',
    html: parsed.html || undefined,
    text: parsed.text,
    headers,
  };
}

runFigure(async (ctx): Promise<FigureRow[]> => {
  const timing = ctx.quick
    ? { warmUpMs: 1000, windowMs: 3000 }
    : { warmUpMs: 3000, windowMs: 15_000 };
  const [sink, load, raw] = await Promise.all([
    startSinkProcess(),
    spawnRole('api-load.ts'),
    spawnRole('raw-smtp.ts'),
  ]);
  try {
    ctx.log(`email: ${timing.windowMs} ms`);
    const herald = await heraldEmail(ctx, sink, load, timing);
    const message = await messageOf(herald.first);
    await raw.call('open', { port: sink.port, maxConnections: MAX_CONNECTIONS });
    const args = { message, concurrency: herald.concurrency };
    await raw.call('send', { ...args, durationMs: timing.warmUpMs });
    const rawRun = await raw.call<{ sent: number; elapsedMs: number }>('send', {
      ...args,
      durationMs: timing.windowMs,
    });
    return [
      {
        id: 'email',
        figure: 'email',
        database: ctx.database.kind,
        herald: herald.run.arrivalsPerSecond,
        raw: perSecond(rawRun.sent, rawRun.elapsedMs),
        unit: 'messages/s',
        note:
          `${herald.run.arrivals} messages timed; ${MAX_CONNECTIONS} SMTP connections; ` +
          `raw: ${herald.concurrency} sends handed to the pool at once`,
      },
    ];
  } finally {
    await Promise.all([sink.stop(), load.stop(), raw.stop()]);
  }
});
