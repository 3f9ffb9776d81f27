/**
 * A TCP port in front of a real receiver that a test can switch off and on, so the
 * receiver "goes down" (connections to the port are refused) and "comes back" on the
 * very same address. Bytes are piped as they are, so TLS runs end to end between
 * Herald and the receiver and the relay sees nothing of it.
 *
 * ```ts
 * const relay = await startRelay(receiverPort);
 * await relay.down(); // connections to relay.port are now refused
 * await relay.up();
 * await relay.close();
 * ```
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Relay {
  /** The relay's own port on 127.0.0.1; it stays the same across down() and up(). */
  port: number;
  /** Stops listening and cuts open connections: the port refuses from now on. */
  down(): Promise<void>;
  /** Listens on the same port again. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a relay to 127.0.0.1:targetPort, listening on a free port. */
export async function startRelay(targetPort: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    const next = createServer((inbound) => {
      const outbound = connect(targetPort, '127.0.0.1');
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A reset on one side ends the other; neither is a test failure.
        socket.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    port = (next.address() as AddressInfo).port;
    server = next;
  };

  const down = async () => {
    if (!server) return;
    const closed = once(server, 'close');
    server.close();
    for (const socket of sockets) socket.destroy();
    server = undefined;
    await closed;
  };

  await listen();
  return {
    port,
    down,
    up: () => (server ? Promise.resolve() : listen()),
    close: down,
  };
}
