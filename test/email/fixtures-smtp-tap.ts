/**
 * A TCP tap between Herald and a plain-SMTP sink. It counts the connections open at
 * once, which the sink cannot tell (it sees connects, not hang-ups), and it can cut a
 * connection where a failing network or server would:
 *
 * - `mid-data`: after the first 200 bytes of a message, so the server never sees the
 *   end of the message and keeps nothing;
 * - `before-reply`: once the whole message is through, swallowing the server's "250"
 *   for it, so the server keeps the message and the client never learns of it.
 *
 * ```ts
 * const tap = await startSmtpTap(sink.port);
 * tap.cut('mid-data'); // the next connection that carries a message is cut
 * // ...send through 127.0.0.1:tap.port with tls "none"...
 * assert.equal(tap.peak, 1);
 * await tap.close();
 * ```
 *
 * It reads the SMTP dialogue as clear text, so it only works for tls "none".
 */
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export type CutPoint = 'mid-data' | 'before-reply';

export interface SmtpTap {
  host: '127.0.0.1';
  port: number;
  /** Connections open now, and the most that were ever open at once. */
  readonly open: number;
  readonly peak: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Cuts performed so far. */
  readonly cuts: number;
  /** Arms a cut: the next `times` messages are cut at `point`. */
  cut(point: CutPoint, times?: number): void;
  close(): Promise<void>;
}

// Enough to be past the headers' start, well short of any whole message.
const MID_DATA_BYTES = 200;
const DATA_COMMAND = /(?:^|\r\n)DATA\r\n/i;
const END_OF_DATA = '\r\n.\r\n';

export async function startSmtpTap(targetPort: number): Promise<SmtpTap> {
  const sockets = new Set<Socket>();
  const armed: CutPoint[] = [];
  let open = 0;
  let peak = 0;
  let accepted = 0;
  let cuts = 0;

  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    accepted += 1;
    open += 1;
    peak = Math.max(peak, open);
    client.once('close', () => (open -= 1));
    const hangUp = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      // A reset on one side ends the other; neither is a test failure.
      socket.on('error', hangUp);
      socket.on('close', hangUp);
    }

    // The client's bytes of the current message, as latin1 so that string offsets
    // are byte offsets; `body` is where the message starts, once DATA was sent.
    let sent = '';
    let body = -1;
    let point: CutPoint | undefined;
    let awaitingReply = false;
    const cut = () => {
      cuts += 1;
      hangUp();
    };

    client.on('data', (chunk: Buffer) => {
      const before = sent.length;
      sent += chunk.toString('latin1');
      if (body < 0) {
        const match = DATA_COMMAND.exec(sent);
        if (match) {
          body = match.index + match[0].length;
          point = armed.shift();
        }
      }
      if (point === 'mid-data' && body >= 0 && sent.length > body + MID_DATA_BYTES) {
        upstream.write(chunk.subarray(0, Math.max(0, body + MID_DATA_BYTES - before)));
        return cut();
      }
      if (body >= 0 && sent.indexOf(END_OF_DATA, body - 2) >= 0) {
        awaitingReply = point === 'before-reply';
        sent = '';
        body = -1;
        point = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (awaitingReply && /^250/m.test(chunk.toString('latin1'))) return cut();
      client.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    get open() {
      return open;
    },
    get peak() {
      return peak;
    },
    get accepted() {
      return accepted;
    },
    get cuts() {
      return cuts;
    },
    cut(point, times = 1) {
      for (let i = 0; i < times; i += 1) armed.push(point);
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
