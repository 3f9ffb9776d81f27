import { useState, type FormEvent } from 'react';
import { DELIVERY_STATUSES, type Account, type Endpoint } from '../../api/types.ts';
import { useCatalog } from '../../catalog-context.tsx';
import { NO_FILTER, type DeliveryFilter } from './load-deliveries.ts';
import { Field } from '../../components/field.tsx';

interface DeliveryFiltersProps {
  value: DeliveryFilter;
  accounts: Account[];
  endpoints: Endpoint[];
  onApply: (filter: DeliveryFilter) => void;
}

/** The delivery log's filters; they apply on submit, so Enter in any field works. */
export function DeliveryFilters({ value, accounts, endpoints, onApply }: DeliveryFiltersProps) {
  const catalog = useCatalog();
  const [draft, setDraft] = useState(value);
  const set = (name: keyof DeliveryFilter) => (e: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [name]: e.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ ...draft, accountId: draft.accountId.trim() });
  };

  return (
    <form onSubmit={submit} className="filters" aria-label="Filter deliveries">
      <label>
        Account
        <input
          list="filter-accounts"
          value={draft.accountId}
          onChange={set('accountId')}
          placeholder="any"
        />
        <datalist id="filter-accounts">
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </datalist>
      </label>
      <Field label="Event type">
        <select value={draft.eventType} onChange={set('eventType')}>
          <option value="">any</option>
          {catalog.map((t) => (
            <option key={t.type}>{t.type}</option>
          ))}
        </select>
      </Field>
      <Field label="Channel">
        <select value={draft.channel} onChange={set('channel')}>
          <option value="">any</option>
          <option value="webhook">webhook</option>
          <option value="email">email</option>
        </select>
      </Field>
      <Field label="Endpoint">
        <select value={draft.endpointId} onChange={set('endpointId')}>
          <option value="">any</option>
          {endpoints.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Status">
        <select value={draft.status} onChange={set('status')}>
          <option value="">any</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
      </Field>
      <div className="actions">
        <button type="submit">Apply filters</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft(NO_FILTER);
            onApply(NO_FILTER);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
