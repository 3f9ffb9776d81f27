import { useState, type FormEvent } from 'react';
import { apiCall } from '../../api/client.ts';
import type { CannedEmail, SmtpProfile } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field } from '../../components/field.tsx';
import { Modal } from '../../components/modal.tsx';

interface SmtpTestSendDialogProps {
  profile: SmtpProfile;
  /** The canned emails that send through this profile. */
  emails: CannedEmail[];
  onClose: () => void;
}

interface TestSent {
  to: string;
  messageId?: string;
  response?: string;
}

/**
 * Test-sends one of the canned emails that use this profile, rendered from a sample
 * event, to an address the operator types: the profile is tested as it really sends.
 */
export function SmtpTestSendDialog({ profile, emails, onClose }: SmtpTestSendDialogProps) {
  const [emailId, setEmailId] = useState(emails[0]?.id ?? '');
  const [to, setTo] = useState('');
  const [sent, setSent] = useState<TestSent>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSent(undefined);
    try {
      setSent(await apiCall<TestSent>('POST', `/email-templates/${emailId}/test-send`, { to }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={`Test-send through ${profile.name}`} onClose={onClose}>
      {emails.length === 0 ? (
        <p className="notice">
          No canned email sends through this profile yet. Create one on the{' '}
          <a href="#/emails">Canned emails</a> page
          {profile.isDefault ? '' : ' and choose this profile'}.
        </p>
      ) : (
        <form onSubmit={submit} className="stack">
          <Field label="Canned email">
            <select value={emailId} onChange={(e) => setEmailId(e.target.value)}>
              {emails.map((email) => (
                <option key={email.id} value={email.id}>
                  {email.name}
                </option>
              ))}
            </select>
          </Field>
          <label>
            Send to
            <input
              type="email"
              required
              value={to}
              onChange={(e) => setTo(e.target.value)}
              data-autofocus
            />
          </label>
          <ErrorNote error={error} />
          {sent ? (
            <p role="status" className="success">
              Sent to {sent.to}. The server answered: <code>{sent.response}</code>
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" disabled={busy}>
              Send test email
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Close
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
