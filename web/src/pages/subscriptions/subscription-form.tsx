import { useState, type FormEvent } from 'react';
import { apiCall } from '../../api/client.ts';
import type { CannedEmail, Endpoint, Subscription } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { EventTypeChecklist } from '../../components/event-type-checklist.tsx';
import { Field } from '../../components/field.tsx';

interface SubscriptionFormProps {
  endpoints: Endpoint[];
  emails: CannedEmail[];
  onSaved: (subscription: Subscription) => void;
  onCancel: () => void;
}

/** "Events of these types go to this endpoint / canned email." */
export function SubscriptionForm({ endpoints, emails, onSaved, onCancel }: SubscriptionFormProps) {
  const [name, setName] = useState('');
  const [target, setTarget] = useState(() =>
    endpoints[0] ? `endpoint:${endpoints[0].id}` : emails[0] ? `email:${emails[0].id}` : '',
  );
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>();
  const [kind, id] = target.split(/:(.*)/);
  const accepted =
    kind === 'endpoint'
      ? (endpoints.find((e) => e.id === id)?.eventTypes ?? [])
      : [emails.find((e) => e.id === id)?.eventType ?? ''];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const body: Record<string, unknown> =
      kind === 'endpoint' ? { endpointId: id } : { emailTemplateId: id };
    if (name) body.name = name;
    // No types chosen means every type the target takes, as Herald defaults it.
    if (eventTypes.length) body.eventTypes = eventTypes;
    try {
      if (filter.trim()) body.filter = JSON.parse(filter);
    } catch {
      setError(new Error('The filter is not valid JSON, e.g. {"service.newState": "Suspended"}.'));
      return;
    }
    try {
      onSaved(await apiCall<Subscription>('POST', '/subscriptions', body));
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <form onSubmit={submit} className="stack">
      <label>
        Name <span className="muted">(optional)</span>
        <input value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </label>
      <Field label="Notify">
        <select
          value={target}
          onChange={(e) => {
            setTarget(e.target.value);
            setEventTypes([]);
          }}
          required
        >
          <optgroup label="Webhook endpoints">
            {endpoints.map((e) => (
              <option key={e.id} value={`endpoint:${e.id}`}>
                {e.name}
              </option>
            ))}
          </optgroup>
          <optgroup label="Canned emails">
            {emails.map((e) => (
              <option key={e.id} value={`email:${e.id}`}>
                {e.name}
              </option>
            ))}
          </optgroup>
        </select>
      </Field>
      <EventTypeChecklist
        legend="Event types (none checked: all the target takes)"
        value={eventTypes}
        onChange={setEventTypes}
        only={accepted}
      />
      <label>
        Filter <span className="muted">(optional JSON: token to required value)</span>
        <input
          className="code"
          value={filter}
          placeholder='{"service.newState": "Suspended"}'
          onChange={(e) => setFilter(e.target.value)}
        />
      </label>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" disabled={!target}>
          Create subscription
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
