import { useState, type FormEvent } from 'react';
import { apiCall } from '../../api/client.ts';
import type { SmtpProfile, TlsMode } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field } from '../../components/field.tsx';
import { TextField } from '../../components/text-field.tsx';

interface SmtpProfileFormProps {
  onSaved: (profile: SmtpProfile) => void;
  onCancel: () => void;
}

/** A new SMTP profile: the owner's mail server and the sender it uses. */
export function SmtpProfileForm({ onSaved, onCancel }: SmtpProfileFormProps) {
  const [fields, setFields] = useState({
    name: '',
    host: '',
    port: '',
    tls: 'starttls' as TlsMode,
    fromName: '',
    fromAddress: '',
    username: '',
    password: '',
  });
  const [isDefault, setIsDefault] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (name: keyof typeof fields) => (value: string) =>
    setFields((current) => ({ ...current, [name]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const { port, fromName, username, password, ...rest } = fields;
    const body: Record<string, unknown> = { ...rest, isDefault };
    // Empty optional fields are left out, so Herald applies its own defaults.
    if (port) body.port = Number(port);
    if (fromName) body.fromName = fromName;
    if (username) body.username = username;
    if (password) body.password = password;
    try {
      onSaved(await apiCall<SmtpProfile>('POST', '/smtp-profiles', body));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack">
      <TextField label="Name" value={fields.name} onChange={set('name')} required autoFocus />
      <div className="row">
        <TextField label="Host" value={fields.host} onChange={set('host')} required />
        <TextField
          label="Port"
          value={fields.port}
          onChange={set('port')}
          inputMode="numeric"
          hint="default for the TLS mode"
        />
      </div>
      <Field label="TLS">
        <select value={fields.tls} onChange={(e) => set('tls')(e.target.value)}>
          <option value="starttls">STARTTLS (upgrade a plain connection)</option>
          <option value="implicit">Implicit TLS (port 465)</option>
          <option value="none">None (plain text)</option>
        </select>
      </Field>
      <div className="row">
        <TextField label="From name" value={fields.fromName} onChange={set('fromName')} />
        <TextField
          label="From address"
          value={fields.fromAddress}
          onChange={set('fromAddress')}
          required
          type="email"
        />
      </div>
      <div className="row">
        <TextField
          label="User name"
          value={fields.username}
          onChange={set('username')}
          autoComplete="off"
        />
        <TextField
          label="Password"
          value={fields.password}
          onChange={set('password')}
          type="password"
          autoComplete="new-password"
        />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={isDefault}
          onChange={(e) => setIsDefault(e.target.checked)}
        />
        Make it the default profile
      </label>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Create profile
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
