import { listOf } from '../../api/client.ts';
import type { CannedEmail } from '../../api/types.ts';
import { LoadState } from '../../components/load-state.tsx';
import { useResource } from '../../hooks/use-resource.ts';

/** The owner's canned emails; each opens in the editor. */
export function CannedEmailsPage() {
  const emails = useResource(() => listOf<CannedEmail>('/email-templates'), []);
  return (
    <section aria-labelledby="emails-title">
      <div className="page-head">
        <h1 id="emails-title">Canned emails</h1>
        <a className="button" href="#/emails/new">
          New canned email
        </a>
      </div>
      <LoadState resource={emails} />
      {emails.data?.length === 0 ? (
        <p className="empty">No canned emails yet. Create one to email accounts about events.</p>
      ) : null}
      {emails.data?.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Event type</th>
              <th scope="col">Locale</th>
              <th scope="col">Subject</th>
            </tr>
          </thead>
          <tbody>
            {emails.data.map((email) => (
              <tr key={email.id}>
                <th scope="row">
                  <a href={`#/emails/${encodeURIComponent(email.id)}`}>{email.name}</a>
                </th>
                <td>
                  <code>{email.eventType}</code>
                </td>
                <td>{email.locale ?? 'any'}</td>
                <td>{email.subject}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
