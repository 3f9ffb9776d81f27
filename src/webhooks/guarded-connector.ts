/**
 * The connect-time half of Herald's SSRF defence: an undici connector that refuses
 * to open a socket to a loopback, private, link-local or otherwise refused address.
 *
 * The check runs on the addresses the resolver returns for this very connection,
 * not on a lookup made earlier, so a host whose DNS answer changes between saving
 * the endpoint and calling it (DNS rebinding) is still caught. A name that resolves
 * to several addresses is refused when any of them is refused, since the socket may
 * try each in turn.
 */
import { lookup as dnsLookup, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import tls from 'node:tls';

import { buildConnector } from 'undici';

import { DeliveryError } from '../errors.ts';
import { isRefusedAddress } from './url-policy.ts';

export interface GuardedConnectorOptions {
  allowPrivateTargets: boolean;
  connectTimeoutMs: number;
  /** Extra CA certificates to trust beside the system ones. */
  ca?: string | Buffer;
}

/** The error a refused address produces; final, because retrying cannot help. */
export function addressRefused(host: string, address: string): DeliveryError {
  const shown = host === address ? host : `${host} (${address})`;
  return new DeliveryError(
    'address_refused',
    `refused to connect to ${shown}: loopback, private, link-local and metadata addresses are ` +
      `not allowed; use a public receiver`,
    false,
    { stage: 'connect' },
  );
}

// Same contract as dns.lookup, answering in whichever shape the caller asked for.
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  const query: LookupAllOptions = { ...options, all: true };
  dnsLookup(hostname, query, (err, addresses) => {
    if (err) return callback(err, '', undefined);

    const refused = addresses.find((a) => isRefusedAddress(a.address));
    if (refused) return callback(addressRefused(hostname, refused.address), '', undefined);
    if (addresses.length === 0) {
      const empty = Object.assign(new Error(`no address found for ${hostname}`), {
        code: 'ENOTFOUND',
      });
      return callback(empty, '', undefined);
    }

    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

// Passing `ca` to TLS replaces the default trust store, so the system roots (and,
// on Node versions that expose them, NODE_EXTRA_CA_CERTS) are added back by hand.
function trustStore(extra: string | Buffer): (string | Buffer)[] {
  const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] })
    .getCACertificates;
  const defaults = getCACertificates ? getCACertificates('default') : [...tls.rootCertificates];
  return [...defaults, extra];
}

/** Builds the connector for a shared undici Agent. */
export function guardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    // One secure context for the whole pool: handing undici a CA list instead would
    // make Node parse ~140 root certificates again for every new connection.
    ...(options.ca === undefined
      ? {}
      : { secureContext: tls.createSecureContext({ ca: trustStore(options.ca) }) }),
    ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup }),
  });
  if (options.allowPrivateTargets) return connect;

  return (connectOptions, callback) => {
    // Node skips the lookup function for IP literals, so they are checked here.
    const { hostname } = connectOptions;
    if (isIP(hostname) && isRefusedAddress(hostname)) {
      callback(addressRefused(hostname, hostname), null);
      return;
    }
    connect(connectOptions, callback);
  };
}
