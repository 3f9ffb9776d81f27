import type { Account } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field } from '../../components/field.tsx';
import type { PreviewState } from './use-email-preview.ts';

interface EmailPreviewPanelProps {
  state: PreviewState;
  accounts: Account[];
  accountId: string;
  onAccountChange: (id: string) => void;
}

/**
 * The email as Herald renders it. The HTML body goes into a sandboxed frame with
 * no script and no access to the console, so a template cannot act on the page.
 */
export function EmailPreviewPanel(props: EmailPreviewPanelProps) {
  const { state, accounts, accountId, onAccountChange } = props;
  const preview = state.preview;
  const recipients = preview?.to.map((a) => a.address).join(', ');
  return (
    <section className="preview" aria-labelledby="preview-title" aria-live="polite">
      <div className="page-head">
        <h2 id="preview-title">Preview</h2>
        <Field label="Sample" inline>
          <select value={accountId} onChange={(e) => onAccountChange(e.target.value)}>
            <option value="">Herald's sample account</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name ? `${a.name} (${a.id})` : a.id}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {state.showsDraft ? null : (
        <p className="notice">
          This Herald renders saved canned emails only: the preview shows the saved version. Save to
          see your changes.
        </p>
      )}
      <ErrorNote error={state.error} />
      {preview ? (
        <>
          <dl className="facts">
            <dt>Subject</dt>
            <dd data-testid="preview-subject">{preview.subject}</dd>
            <dt>From</dt>
            <dd>{preview.from.address}</dd>
            <dt>To</dt>
            <dd>{recipients || '—'}</dd>
          </dl>
          {preview.notes.length ? (
            <ul className="notes">
              {preview.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          ) : null}
          {preview.html ? (
            <iframe title="HTML body" sandbox="" srcDoc={preview.html} className="html-preview" />
          ) : null}
          {preview.text ? <pre className="text-preview">{preview.text}</pre> : null}
        </>
      ) : null}
    </section>
  );
}
