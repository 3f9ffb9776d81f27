/**
 * The benchmark's SMTP server, in a process of its own: smtp-server on 127.0.0.1,
 * no TLS and no login, accepting every message. It reads each message to its end
 * and counts it, without parsing, so that the sink is never the bottleneck of the
 * email figure. The first message is kept so a run can show what was sent.
 */
import { SMTPServer } from 'smtp-server';

import { serveRole } from '../support/child-rpc.ts';
import { ArrivalCounter } from '../support/arrival-counter.ts';

const counter = new ArrivalCounter();
let first: string | undefined;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  size: 10 * 1024 * 1024,
  socketTimeout: 120_000,
  closeTimeout: 200,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      if (first === undefined) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (first === undefined) first = Buffer.concat(chunks).toString('utf8');
      counter.add();
      callback(null, `OK: queued as ${counter.count}`);
    });
  },
});
server.on('error', () => {});

serveRole({
  start: () =>
    new Promise<{ port: number }>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.server.address();
        if (!address || typeof address === 'string') reject(new Error('no TCP port'));
        else resolve({ port: address.port });
      });
    }),
  count: () => counter.snapshot(),
  first: () => first,
  reset: () => {
    counter.reset();
    first = undefined;
  },
  waitFor: (args: { count: number; timeoutMs: number }) => counter.waitFor(args),
  stop: () =>
    new Promise<void>((resolve) => {
      for (const connection of server.connections) connection.close();
      server.close(() => resolve());
    }),
});
