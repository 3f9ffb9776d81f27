import type {
  ApiKey,
  AttemptRecord,
  DeliveryRecord,
  EventRecord,
  Owner,
  StoredRecord,
} from '../store.ts';

/** Maps SQLite rows (snake_case, JSON text, 0/1 flags) to the store's records. */

export function toEvent(row: Record<string, any>): EventRecord {
  return {
    seq: row.seq,
    id: row.id,
    ownerId: row.owner_id,
    type: row.type,
    accountId: row.account_id,
    orderingKey: row.ordering_key,
    occurredAt: row.occurred_at,
    acceptedAt: row.accepted_at,
    data: JSON.parse(row.data),
    account: row.account ? JSON.parse(row.account) : null,
    status: row.status,
  };
}

export function toDelivery(row: Record<string, any>): DeliveryRecord {
  return {
    seq: row.seq,
    id: row.id,
    ownerId: row.owner_id,
    eventId: row.event_id,
    eventType: row.event_type,
    accountId: row.account_id,
    subscriptionId: row.subscription_id,
    channel: row.channel,
    targetId: row.target_id,
    orderingKey: row.ordering_key,
    ordered: row.ordered === 1,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

export function toAttempt(row: Record<string, any>): AttemptRecord {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    ownerId: row.owner_id,
    number: row.number,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    ok: row.ok === 1,
    statusCode: row.status_code,
    errorCode: row.error_code,
    error: row.error,
    responseBody: row.response_body,
    request: JSON.parse(row.request),
  };
}

export function toOwner(row: any): Owner {
  return {
    id: row.id,
    name: row.name,
    defaultLocale: row.default_locale,
    platform: row.platform === 1,
    alertEmail: row.alert_email,
    createdAt: row.created_at,
  };
}

export function toApiKey(row: any): ApiKey {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes),
    createdAt: row.created_at,
  };
}

export function toRecord<T>(row: any): StoredRecord<T> {
  return {
    id: row.id,
    ownerId: row.owner_id,
    kind: row.kind,
    doc: JSON.parse(row.doc),
    uniqueKey: row.unique_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
