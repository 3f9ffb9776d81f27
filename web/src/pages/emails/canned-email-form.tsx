import { useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { apiCall } from '../../api/client.ts';
import type { Account, CannedEmail, ContactType, Recipient, SmtpProfile } from '../../api/types.ts';
import { useCatalog } from '../../catalog-context.tsx';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field } from '../../components/field.tsx';
import { navigate } from '../../hooks/use-hash-route.ts';
import { EmailPreviewPanel } from './email-preview-panel.tsx';
import { RecipientsField } from './recipients-field.tsx';
import { TestSendForm } from './test-send-form.tsx';
import { TokenList } from './token-list.tsx';
import { useEmailPreview, type PreviewDraft } from './use-email-preview.ts';

interface CannedEmailFormProps {
  email?: CannedEmail;
  contactTypes: ContactType[];
  profiles: SmtpProfile[];
  accounts: Account[];
}

type BodyField = 'subject' | 'html' | 'text';

const previewPart = (e: CannedEmail): PreviewDraft => ({
  eventType: e.eventType,
  subject: e.subject,
  html: e.html ?? '',
  text: e.text ?? '',
});

/** The canned email editor: fields, the tokens beside them, and the live preview. */
export function CannedEmailForm({ email, contactTypes, profiles, accounts }: CannedEmailFormProps) {
  const catalog = useCatalog();
  const [saved, setSaved] = useState(email);
  const [name, setName] = useState(email?.name ?? '');
  const [locale, setLocale] = useState(email?.locale ?? '');
  const [to, setTo] = useState<Recipient[]>(email?.to ?? []);
  const [smtpProfileId, setSmtpProfileId] = useState(email?.smtpProfileId ?? '');
  const [draft, setDraft] = useState<PreviewDraft>(() =>
    email
      ? previewPart(email)
      : { eventType: catalog[0]?.type ?? '', subject: '', html: '', text: '' },
  );
  const [accountId, setAccountId] = useState('');
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const fields = useRef<Partial<Record<BodyField, HTMLInputElement | HTMLTextAreaElement>>>({});
  const lastFocused = useRef<BodyField>('html');
  const preview = useEmailPreview(saved?.id, draft, saved && previewPart(saved), accountId);
  const eventType = catalog.find((t) => t.type === draft.eventType);

  const edit = (field: keyof PreviewDraft) => (value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setNotice(undefined);
  };
  const bind = (field: BodyField) => ({
    ref: (el: HTMLInputElement | HTMLTextAreaElement | null) => {
      if (el) fields.current[field] = el;
    },
    value: draft[field],
    onFocus: () => (lastFocused.current = field),
    onChange: (e: { target: { value: string } }) => edit(field)(e.target.value),
  });

  const insertToken = (token: string) => {
    const field = lastFocused.current;
    const el = fields.current[field];
    const value = draft[field];
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const text = `{{${token}}}`;
    // The new value is written at once, and the cursor put after the token in the
    // same turn: moved later (a frame later, say), it would land in the middle of
    // whatever the operator typed or selected meanwhile.
    flushSync(() => edit(field)(value.slice(0, start) + text + value.slice(end)));
    el?.focus();
    el?.setSelectionRange(start + text.length, start + text.length);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const body: Record<string, unknown> = {
      name,
      eventType: draft.eventType,
      locale: locale || null,
      subject: draft.subject,
      to,
    };
    // A new email leaves out empty bodies; an edit sends them, to clear one.
    if (draft.html || saved) body.html = draft.html;
    if (draft.text || saved) body.text = draft.text;
    if (smtpProfileId) body.smtpProfileId = smtpProfileId;
    // Back to the default profile: said outright, so Herald answers rather than
    // the console silently keeping the old profile.
    else if (saved?.smtpProfileId) body.smtpProfileId = null;
    try {
      const next = saved
        ? await apiCall<CannedEmail>('PATCH', `/email-templates/${saved.id}`, body)
        : await apiCall<CannedEmail>('POST', '/email-templates', body);
      setSaved(next);
      setNotice(`Saved ${next.name}.`);
      if (!saved) navigate('emails', next.id);
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <section aria-labelledby="editor-title" className="editor">
      <div className="page-head">
        <h1 id="editor-title">{saved ? `Canned email: ${saved.name}` : 'New canned email'}</h1>
        <a href="#/emails">All canned emails</a>
      </div>
      <div className="editor-grid">
        <form onSubmit={submit} className="stack card">
          <div className="row">
            <label>
              Name
              <input required value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            </label>
            <label>
              Locale
              <input value={locale} placeholder="any" onChange={(e) => setLocale(e.target.value)} />
            </label>
          </div>
          <div className="row">
            <Field label="Event type">
              <select value={draft.eventType} onChange={(e) => edit('eventType')(e.target.value)}>
                {catalog.map((t) => (
                  <option key={t.type}>{t.type}</option>
                ))}
              </select>
            </Field>
            <Field label="SMTP profile">
              <select value={smtpProfileId} onChange={(e) => setSmtpProfileId(e.target.value)}>
                <option value="">The default profile</option>
                {profiles.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <label>
            Subject
            <input required {...bind('subject')} />
          </label>
          <label>
            HTML body
            <textarea rows={10} className="code" {...bind('html')} />
          </label>
          <label>
            Plain-text body
            <textarea rows={6} className="code" {...bind('text')} />
          </label>
          <RecipientsField legend="To" value={to} onChange={setTo} contactTypes={contactTypes} />
          <ErrorNote error={error} />
          {notice ? (
            <p role="status" className="success">
              {notice}
            </p>
          ) : null}
          <div className="actions">
            <button type="submit">{saved ? 'Save canned email' : 'Create canned email'}</button>
          </div>
        </form>
        <aside className="card">
          <TokenList eventType={eventType} onInsert={insertToken} />
        </aside>
      </div>
      {saved ? (
        <div className="card">
          <EmailPreviewPanel
            state={preview}
            accounts={accounts}
            accountId={accountId}
            onAccountChange={setAccountId}
          />
          <TestSendForm emailId={saved.id} accountId={accountId} />
        </div>
      ) : (
        <p className="muted card">Create the canned email to see its preview.</p>
      )}
    </section>
  );
}
