import type { Logger } from '../logger.ts';
import type { EndpointDoc } from '../store/records.ts';
import type { Store } from '../store/store.ts';

export type AnnounceDisabled = (
  ownerId: string,
  endpoint: EndpointDoc,
  details: { reason: string; failingSince: number; disabledAt: number },
) => Promise<void>;

/**
 * Tracks whether an endpoint is failing. The first failed attempt after a success
 * stamps `failingSince`; any success clears it. When an attempt fails and the stamp
 * is older than the disable period, every attempt in that period failed, and the
 * endpoint is switched off and announced (an endpoint.disabled event, and an email
 * to the owner's alert address).
 *
 * Writes are JSON merges of the few fields involved, and happen only when the state
 * changes, so healthy traffic costs no extra write.
 */
export class EndpointHealth {
  constructor(
    private readonly store: Store,
    private readonly disableAfterMs: number,
    private readonly announce: AnnounceDisabled,
    private readonly logger: Logger,
  ) {}

  async succeeded(ownerId: string, endpoint: EndpointDoc): Promise<void> {
    if (endpoint.failingSince == null) return;
    await this.store.mergeRecord(ownerId, 'endpoint', endpoint.id, { failingSince: null });
  }

  async failed(ownerId: string, endpoint: EndpointDoc, now: number): Promise<void> {
    const since = endpoint.failingSince;
    if (since == null) {
      await this.store.mergeRecord(ownerId, 'endpoint', endpoint.id, { failingSince: now });
      return;
    }
    if (now - since < this.disableAfterMs) return;
    const days = Math.round((now - since) / 86_400_000);
    const reason = `every attempt failed since ${new Date(since).toISOString()} (${days} days)`;
    await this.disable(ownerId, endpoint, reason, now);
  }

  /** Switches the endpoint off and tells the owner; waiting deliveries stay queued. */
  async disable(ownerId: string, endpoint: EndpointDoc, reason: string, now: number) {
    const current = await this.store.getRecord<EndpointDoc>(ownerId, 'endpoint', endpoint.id);
    if (!current || !current.doc.enabled) return;
    await this.store.mergeRecord(ownerId, 'endpoint', endpoint.id, {
      enabled: false,
      disabledReason: reason,
    });
    this.logger.warn({ ownerId, endpointId: endpoint.id }, `endpoint disabled: ${reason}`);
    const failingSince = current.doc.failingSince ?? now;
    await this.announce(ownerId, current.doc, { reason, failingSince, disabledAt: now });
  }
}
