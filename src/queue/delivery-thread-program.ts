/**
 * The delivery thread's program (see delivery-thread.ts): a workers-only Herald on
 * the process's configuration, with its own connection to the store, driven by
 * the messages of the thread that serves the API.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { startHerald } from '../app.ts';
import type { HeraldConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { FromThread, ToThread } from './delivery-thread-messages.ts';
import { ForwardingObserver } from './forwarding-observer.ts';

const port = parentPort!;
const tell = (message: FromThread) => port.postMessage(message);
const { config, smtpCa } = workerData as { config: HeraldConfig; smtpCa?: string | Buffer };
const observer = new ForwardingObserver((observations) => tell({ type: 'observed', observations }));

try {
  const herald = await startHerald({
    config,
    smtpCa,
    logger: createLogger({ level: config.logLevel }).child({ thread: 'delivery' }),
    api: false,
    workers: true,
    triggers: false,
    observer,
    onFacts: () => tell({ type: 'facts' }),
  });
  port.on('message', (message: ToThread) => {
    if (message.type === 'wake') herald.dispatcher.wake();
    else if (message.type === 'records') herald.records.clear();
    else if (message.type === 'inFlight') {
      tell({ type: 'inFlight', id: message.id, counts: herald.dispatcher.activeByChannel() });
    } else if (message.type === 'stop') {
      void herald
        .stop()
        .catch(() => ({ finished: 0, released: 0 }))
        .then((report) => {
          observer.flush();
          tell({ type: 'stopped', report });
        });
    }
  });
  tell({ type: 'ready' });
} catch (error) {
  tell({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  port.close();
}
