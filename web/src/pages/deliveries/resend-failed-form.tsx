import { useState, type FormEvent } from 'react';
import { apiCall } from '../../api/client.ts';
import type { Endpoint } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field } from '../../components/field.tsx';
import { fromLocalInput, toLocalInput } from '../../format.ts';

interface ResendFailedFormProps {
  endpoints: Endpoint[];
  onResent: () => void;
}

const DAY = 86_400_000;

/** Queues again every delivery of one endpoint that failed within a time range. */
export function ResendFailedForm({ endpoints, onResent }: ResendFailedFormProps) {
  const [endpointId, setEndpointId] = useState(endpoints[0]?.id ?? '');
  const [since, setSince] = useState(() => toLocalInput(Date.now() - DAY));
  // Blank means "up to now" when sent: a default fixed when the page opened would
  // leave out every delivery that failed while the page stayed open.
  const [until, setUntil] = useState('');
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      const answer = await apiCall<{ requeued: number }>(
        'POST',
        `/endpoints/${endpointId}/resend-failed`,
        until
          ? { since: fromLocalInput(since), until: fromLocalInput(until) }
          : { since: fromLocalInput(since) },
      );
      setResult(
        answer.requeued === 1
          ? '1 failed delivery queued again.'
          : `${answer.requeued} failed deliveries queued again.`,
      );
      onResent();
    } catch (failure) {
      setError(failure);
    }
  };

  if (endpoints.length === 0) return null;
  return (
    <form onSubmit={submit} className="filters" aria-labelledby="resend-failed-title">
      <h2 id="resend-failed-title" className="section-title">
        Resend failed deliveries
      </h2>
      <Field label="Endpoint">
        <select value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
          {endpoints.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
        </select>
      </Field>
      <label>
        Failed from
        <input
          type="datetime-local"
          required
          value={since}
          onChange={(e) => setSince(e.target.value)}
        />
      </label>
      <label>
        until (blank: now)
        <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
      </label>
      <div className="actions">
        <button type="submit">Resend failed</button>
      </div>
      <ErrorNote error={error} />
      {result ? (
        <p role="status" className="success">
          {result}
        </p>
      ) : null}
    </form>
  );
}
