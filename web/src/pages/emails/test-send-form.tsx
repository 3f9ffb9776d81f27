import { useState, type FormEvent } from 'react';
import { apiCall } from '../../api/client.ts';
import { ErrorNote } from '../../components/error-note.tsx';

/** Sends the saved canned email, rendered from a sample, to one address. */
export function TestSendForm({ emailId, accountId }: { emailId: string; accountId: string }) {
  const [to, setTo] = useState('');
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    const body = accountId ? { to, accountId } : { to };
    try {
      const sent = await apiCall<{ response?: string }>(
        'POST',
        `/email-templates/${emailId}/test-send`,
        body,
      );
      setResult(`Sent to ${to}. The server answered: ${sent.response ?? 'OK'}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="inline-form" aria-label="Test-send">
      <label>
        Test-send to
        <input type="email" required value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Send test email
      </button>
      <ErrorNote error={error} />
      {result ? (
        <p role="status" className="success">
          {result}
        </p>
      ) : null}
    </form>
  );
}
