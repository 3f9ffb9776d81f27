import pg from 'pg';
import { connectionConfig } from './connection.ts';

/** The NOTIFY channel on which new or newly due work is announced. */
export const WORK_CHANNEL = 'herald_work';

/** SQL that announces work; inside a transaction it is sent only at commit. */
export const NOTIFY_WORK = `SELECT pg_notify('${WORK_CHANNEL}', '')`;

const RECONNECT_MS = 1000;

/**
 * Listens for work announcements on a connection of its own (LISTEN holds a
 * session, so it cannot share the pool). When that connection breaks it reconnects
 * after a second and calls the listener once, since announcements sent meanwhile
 * are lost. Resolves once the first LISTEN is in place; the function it resolves
 * with stops listening.
 */
export async function listenForWork(url: string, listener: () => void): Promise<() => void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    const next = new pg.Client(connectionConfig(url));
    next.on('notification', () => listener());
    next.on('error', () => {
      if (stopped || client !== next) return;
      client = undefined;
      void next.end().catch(() => {});
      scheduleReconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${WORK_CHANNEL}`);
    if (stopped) {
      await next.end();
      return;
    }
    client = next;
  };

  const scheduleReconnect = () => {
    retry = setTimeout(() => {
      connect().then(listener, () => {
        if (!stopped) scheduleReconnect();
      });
    }, RECONNECT_MS);
    retry.unref();
  };

  await connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    void client?.end().catch(() => {});
    client = undefined;
  };
}
