import { useState, type FormEvent } from 'react';
import { apiCall } from '../api/client.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { storeKey } from '../session.ts';

interface SignInPageProps {
  onSignedIn: () => void;
  /** Why the operator is here again, when a key stopped working. */
  notice?: string;
}

/** Takes an API key, checks it against Herald, and keeps it for this tab. */
export function SignInPage({ onSignedIn, notice }: SignInPageProps) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // Any valid key may read the catalogue, so this checks the key and nothing else.
      await apiCall('GET', '/event-types', undefined, key.trim());
      storeKey(key.trim());
      onSignedIn();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Herald console</h1>
      {notice ? <p className="notice">{notice}</p> : null}
      <form onSubmit={submit} className="card">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          required
          autoFocus
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <p className="muted">
          The key stays in this browser tab only and is sent to Herald with every request.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
