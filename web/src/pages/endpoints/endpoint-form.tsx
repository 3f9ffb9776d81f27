import { useState, type FormEvent } from 'react';
import { apiCall } from '../../api/client.ts';
import type { Endpoint, EndpointWithSecret, Ordering } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { EventTypeChecklist } from '../../components/event-type-checklist.tsx';
import { Field } from '../../components/field.tsx';

interface EndpointFormProps {
  /** The endpoint to edit; a new one is created without it. */
  endpoint?: Endpoint;
  /** After a save; a new endpoint comes with its signing secret. */
  onSaved: (saved: Endpoint | EndpointWithSecret) => void;
  onCancel: () => void;
}

/** Name, URL, event types and ordering of a webhook endpoint. */
export function EndpointForm({ endpoint, onSaved, onCancel }: EndpointFormProps) {
  const [name, setName] = useState(endpoint?.name ?? '');
  const [url, setUrl] = useState(endpoint?.url ?? 'https://');
  const [eventTypes, setEventTypes] = useState(endpoint?.eventTypes ?? []);
  const [ordering, setOrdering] = useState<Ordering>(endpoint?.ordering ?? 'unordered');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = { name, url, eventTypes, ordering };
    try {
      const saved = endpoint
        ? await apiCall<Endpoint>('PATCH', `/endpoints/${endpoint.id}`, body)
        : await apiCall<EndpointWithSecret>('POST', '/endpoints', body);
      onSaved(saved);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack">
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </label>
      <label>
        URL
        <input
          required
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-describedby="endpoint-url-hint"
        />
      </label>
      <p id="endpoint-url-hint" className="muted">
        An https:// address; Herald posts each event there, signed with the endpoint's secret.
      </p>
      <EventTypeChecklist legend="Event types" value={eventTypes} onChange={setEventTypes} />
      <Field label="Ordering">
        <select value={ordering} onChange={(e) => setOrdering(e.target.value as Ordering)}>
          <option value="unordered">Unordered: deliveries run in parallel</option>
          <option value="ordered">Ordered: one at a time per account, in order</option>
        </select>
      </Field>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {endpoint ? 'Save endpoint' : 'Create endpoint'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
