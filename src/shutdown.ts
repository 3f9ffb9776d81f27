import type { Api } from './api/context.ts';
import type { SmtpTransports } from './email/smtp-transports.ts';
import type { Logger } from './logger.ts';
import type { StopReport } from './queue/dispatcher.ts';
import type { Store } from './store/store.ts';
import type { WebhookSender } from './webhooks/webhook-sender.ts';

/** The parts of a running Herald that shutdown stops, in its order. */
export interface ShutdownParts {
  server: Api | undefined;
  scheduler: { stop(): Promise<void> };
  /** The workers: a Dispatcher, or the delivery thread that runs one. */
  dispatcher: { stop(graceMs: number): Promise<StopReport> };
  sender: WebhookSender;
  transports: SmtpTransports;
  store: Store;
  logger: Logger;
}

/**
 * How long closing the connection pools may take once attempts were released:
 * those attempts may still wait on a receiver, and the operator's bound wins.
 */
const POOL_CLOSE_MS = 500;

/**
 * Stops a Herald within `graceMs` (plus a moment to close pools):
 *  1. at once, the HTTP server refuses new requests (503 on open connections)
 *     and lets those under way finish; the scheduler fires nothing more; the
 *     workers claim nothing more;
 *  2. the attempts in flight get the grace period; those still running then are
 *     released back to the queue (see Dispatcher.stop), so nothing stays claimed;
 *  3. the connection pools and the store close.
 */
export async function shutdown(parts: ShutdownParts, graceMs: number): Promise<StopReport> {
  const { logger } = parts;
  const started = performance.now();
  const [, , report] = await Promise.all([
    parts.server ? closeServer(parts.server, graceMs) : undefined,
    parts.scheduler.stop(),
    parts.dispatcher.stop(graceMs),
  ]);

  const pools = [parts.sender.close(), parts.transports.close()];
  if (report.released > 0) await settledWithin(pools, POOL_CLOSE_MS);
  else await Promise.allSettled(pools);
  await parts.store.close();

  const ms = Math.round(performance.now() - started);
  const summary = { ...report, ms };
  if (report.released > 0) {
    logger.warn(
      summary,
      `stopped in ${ms} ms: ${report.finished} attempt(s) finished, ` +
        `${report.released} released to the queue for the next worker`,
    );
  } else if (report.finished > 0) {
    logger.info(summary, `stopped in ${ms} ms after ${report.finished} attempt(s) finished`);
  } else {
    logger.info(summary, `stopped in ${ms} ms`);
  }
  return report;
}

/**
 * Closes the HTTP server: new connections are refused at once, idle ones closed,
 * and requests under way may finish. A client still holding a connection when the
 * grace period ends (a slow download, an unread response) is cut off then.
 */
async function closeServer(server: Api, graceMs: number): Promise<void> {
  const closing = server.close();
  await settledWithin([closing], graceMs);
  server.server.closeAllConnections();
  await closing;
}

/** Resolves when every promise settled, or after `ms`, whichever comes first. */
export async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (!Number.isFinite(ms)) {
    await Promise.allSettled(promises);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
