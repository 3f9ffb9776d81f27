import { useState } from 'react';
import type { ContactType, Recipient } from '../../api/types.ts';

interface RecipientsFieldProps {
  legend: string;
  value: Recipient[];
  onChange: (recipients: Recipient[]) => void;
  contactTypes: ContactType[];
}

const addressesOf = (list: Recipient[]) =>
  list.flatMap((r) => ('address' in r ? [r.address] : [])).join(', ');

/**
 * Recipients as Herald takes them: contact types, resolved per account when the
 * email is sent, and literal addresses, typed comma-separated.
 */
export function RecipientsField({ legend, value, onChange, contactTypes }: RecipientsFieldProps) {
  const chosen = new Set(value.flatMap((r) => ('contactType' in r ? [r.contactType] : [])));
  const [addresses, setAddresses] = useState(() => addressesOf(value));

  const update = (types: Set<string>, typed: string) => {
    const literal = typed
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .map((address) => ({ address }));
    onChange([...[...types].map((contactType) => ({ contactType })), ...literal]);
  };
  const toggle = (name: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(name);
    else next.delete(name);
    update(next, addresses);
  };

  return (
    <fieldset className="checklist">
      <legend>{legend}</legend>
      {contactTypes.length === 0 ? (
        <p className="muted">This owner has no contact types yet; use addresses.</p>
      ) : null}
      <div className="checklist-grid">
        {contactTypes.map((type) => (
          <label key={type.id} className="check">
            <input
              type="checkbox"
              checked={chosen.has(type.name)}
              onChange={(e) => toggle(type.name, e.target.checked)}
            />
            The account's {type.name} contact
          </label>
        ))}
      </div>
      <label>
        Addresses
        <input
          value={addresses}
          placeholder="ops@example.com, finance@example.com"
          onChange={(e) => {
            setAddresses(e.target.value);
            update(chosen, e.target.value);
          }}
        />
      </label>
    </fieldset>
  );
}
