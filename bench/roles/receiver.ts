/**
 * The benchmark's webhook receiver, in a process of its own: one or more node:https
 * servers with keep-alive on 127.0.0.1, each answering 200 to every POST as soon as
 * the body has arrived. It counts requests rather than keeping them, so a run of a
 * million deliveries costs it no memory; only the latency figure asks it to note
 * when each marked event arrived.
 *
 * The first request to each server is checked with the `standardwebhooks` library
 * once its secret is set, so a run also shows that Herald really signed its calls.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

import { webhookCertificate } from '../../src/demo/self-signed.ts';
import { serveRole } from '../support/child-rpc.ts';
import { ArrivalCounter } from '../support/arrival-counter.ts';

interface Sample {
  path: string;
  headers: Record<string, string>;
  body: string;
  verified: boolean | null;
  verifyError?: string;
}

const servers: Server[] = [];
const secrets: (string | undefined)[] = [];
const samples: (Sample | undefined)[] = [];
const counter = new ArrivalCounter();
// TLS connections accepted: shows whether the sender reused its keep-alive ones.
let connections = 0;
let tracking = false;
let arrivals: [string, number][] = [];

function handle(index: number, body: string, path: string, headers: Record<string, string>) {
  const at = counter.add();
  if (tracking) {
    const marker = (JSON.parse(body) as any)?.data?.service?.id;
    if (typeof marker === 'string') arrivals.push([marker, at]);
  }
  if (!samples[index]) samples[index] = sampleOf(index, body, path, headers);
}

function sampleOf(index: number, body: string, path: string, headers: Record<string, string>) {
  const sample: Sample = { path, headers, body, verified: null };
  const secret = secrets[index];
  if (!secret) return sample;
  try {
    new Webhook(secret).verify(body, headers);
    sample.verified = true;
  } catch (error) {
    sample.verified = false;
    sample.verifyError = String(error);
  }
  return sample;
}

async function start({ servers: n }: { servers: number }) {
  const { key, cert } = await webhookCertificate();
  const urls: string[] = [];
  for (let i = 0; i < n; i++) {
    const server = createServer({ key, cert, keepAlive: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        handle(i, Buffer.concat(chunks).toString('utf8'), req.url ?? '', req.headers as never);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    // Idle keep-alive connections stay open for the whole run, as a real
    // receiver tuned for a steady stream would keep them.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 130_000;
    server.on('secureConnection', () => {
      connections += 1;
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    urls.push(`https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${i + 1}`);
  }
  return { urls, ca: cert };
}

serveRole({
  start,
  waitFor: (args: { count: number; timeoutMs: number }) => counter.waitFor(args),
  setSecret: ({ index, secret }: { index: number; secret: string }) => {
    secrets[index] = secret;
  },
  count: () => ({ ...counter.snapshot(), connections }),
  samples: () => samples,
  reset: () => {
    counter.reset();
    connections = 0;
    arrivals = [];
    samples.length = 0;
  },
  track: (on: boolean) => {
    tracking = on;
  },
  arrivals: () => arrivals,
  stop: async () => {
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
  },
});
