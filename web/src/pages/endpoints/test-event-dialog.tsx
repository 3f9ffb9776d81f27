import { useState, type FormEvent } from 'react';
import { apiCall, listOf } from '../../api/client.ts';
import { sampleFromSchema } from '../../api/sample-data.ts';
import type { AcceptedEvent, Account, Endpoint, EventType } from '../../api/types.ts';
import { useCatalog } from '../../catalog-context.tsx';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field } from '../../components/field.tsx';
import { LoadState } from '../../components/load-state.tsx';
import { Modal } from '../../components/modal.tsx';
import { useResource } from '../../hooks/use-resource.ts';

interface TestEventDialogProps {
  endpoint: Endpoint;
  /** Whether a subscription routes events to this endpoint. */
  subscribed: boolean;
  onClose: () => void;
}

const samplePayload = (type: EventType | undefined) =>
  type ? JSON.stringify(sampleFromSchema(type.schema), null, 2) : '{}';

/**
 * Posts an event made from the type's schema examples. It is a real event: every
 * subscription to its type is notified, and it reaches this endpoint through one.
 */
export function TestEventDialog({ endpoint, subscribed, onClose }: TestEventDialogProps) {
  const catalog = useCatalog();
  const accounts = useResource(() => listOf<Account>('/accounts'), []);
  const [type, setType] = useState(endpoint.eventTypes[0] ?? '');
  const definition = catalog.find((t) => t.type === type);
  const [data, setData] = useState(() => samplePayload(definition));
  const [accountId, setAccountId] = useState('');
  const [accepted, setAccepted] = useState<AcceptedEvent>();
  const [error, setError] = useState<unknown>();

  const chooseType = (next: string) => {
    setType(next);
    setData(samplePayload(catalog.find((t) => t.type === next)));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      setError(new Error('The payload is not valid JSON.'));
      return;
    }
    const body: Record<string, unknown> = { type, data: payload };
    if (definition?.hasAccount) body.accountId = accountId || accounts.data?.[0]?.id;
    try {
      setAccepted(await apiCall<AcceptedEvent>('POST', '/events', body));
    } catch (failure) {
      setError(failure);
    }
  };

  if (accepted) {
    return (
      <Modal title="Test event sent" onClose={onClose}>
        <p role="status">
          Herald accepted event <code>{accepted.id}</code> ({accepted.type}). Its deliveries appear
          in the <a href="#/deliveries">delivery log</a>.
        </p>
        <div className="actions">
          <button type="button" onClick={onClose} data-autofocus>
            Done
          </button>
        </div>
      </Modal>
    );
  }

  return (
    <Modal title={`Send a test event to ${endpoint.name}`} onClose={onClose} wide>
      <form onSubmit={submit} className="stack">
        {subscribed ? null : (
          <p className="notice">
            No subscription sends events to this endpoint yet: add one on the{' '}
            <a href="#/subscriptions">Subscriptions</a> page, or the event will not reach it.
          </p>
        )}
        <Field label="Event type">
          <select value={type} onChange={(e) => chooseType(e.target.value)} data-autofocus>
            {endpoint.eventTypes.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        {definition?.hasAccount ? (
          <Field label="Account">
            <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
              {(accounts.data ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name ? `${a.name} (${a.id})` : a.id}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <LoadState resource={accounts} />
        {definition?.hasAccount && accounts.data?.length === 0 ? (
          <p className="notice">
            {type} events concern an account, and this owner has none yet: create one with POST
            /v1/accounts.
          </p>
        ) : null}
        <label>
          Payload (data)
          <textarea
            rows={12}
            className="code"
            value={data}
            onChange={(e) => setData(e.target.value)}
          />
        </label>
        <p className="muted">
          Every subscription to {type || 'this type'} is notified, not only this endpoint.
        </p>
        <ErrorNote error={error} />
        <div className="actions">
          <button type="submit">Send test event</button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
