import pg from 'pg';
import { connectionConfig } from './connection.ts';

/** The NOTIFY channels: deliveries new or newly due, and the triggers' work. */
export const CHANNELS = { work: 'herald_work', triggers: 'herald_triggers' } as const;
export type WorkChannel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** SQL that announces deliveries; inside a transaction it is sent at commit. */
export const NOTIFY_WORK = `SELECT pg_notify('${CHANNELS.work}', '')`;

/** SQL that announces new facts or a changed schedule to the trigger schedulers. */
export const NOTIFY_TRIGGERS = `SELECT pg_notify('${CHANNELS.triggers}', '')`;

const RECONNECT_MS = 1000;

/**
 * Listens on a channel on a connection of its own (LISTEN holds a session, so it
 * cannot share the pool). When that connection breaks it reconnects
 * after a second and calls the listener once, since announcements sent meanwhile
 * are lost. Resolves once the first LISTEN is in place; the function it resolves
 * with stops listening.
 */
export async function listenOn(
  url: string,
  channel: WorkChannel,
  listener: () => void,
): Promise<() => void> {
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
    await next.query(`LISTEN ${channel}`);
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
