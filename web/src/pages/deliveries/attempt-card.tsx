import type { Attempt } from '../../api/types.ts';
import { StatusBadge } from '../../components/status-badge.tsx';
import { formatTime } from '../../format.ts';

/**
 * One attempt as Herald logged it. The request headers come already redacted by
 * the API (no signature secrets, no credentials), so they are shown as they are.
 */
export function AttemptCard({ attempt }: { attempt: Attempt }) {
  const { headers, ...rest } = attempt.request as { headers?: Record<string, unknown> };
  const other = Object.entries(rest);
  return (
    <article className="attempt" aria-label={`Attempt ${attempt.number}`}>
      <h3>
        Attempt {attempt.number} <StatusBadge status={attempt.ok ? 'succeeded' : 'failed'} />
      </h3>
      <dl className="facts">
        <dt>Started</dt>
        <dd>{formatTime(attempt.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>{attempt.durationMs} ms</dd>
        <dt>Response status</dt>
        <dd data-testid="attempt-status">{attempt.statusCode ?? '—'}</dd>
        {attempt.error ? (
          <>
            <dt>Error</dt>
            <dd className="error-text">
              {attempt.errorCode ? <code>{attempt.errorCode}</code> : null} {attempt.error}
            </dd>
          </>
        ) : null}
        {other.map(([name, value]) => (
          <Fact key={name} name={name} value={value} />
        ))}
      </dl>
      {headers ? (
        <table className="headers">
          <caption>Request headers</caption>
          <tbody>
            {Object.entries(headers).map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>
                  <code>{String(value)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {attempt.responseBody ? (
        <>
          <h4>Start of the response</h4>
          <pre className="response">{attempt.responseBody}</pre>
        </>
      ) : null}
    </article>
  );
}

/** Words for the request fields Herald logs; an unknown one shows its own name. */
const FACT_LABELS: Record<string, string> = {
  url: 'URL',
  bytes: 'Body size (bytes)',
  smtpProfileId: 'SMTP profile',
  from: 'From',
  to: 'To',
  cc: 'Cc',
  bcc: 'Bcc',
  notes: 'Notes',
};

function Fact({ name, value }: { name: string; value: unknown }) {
  let shown: string;
  if (Array.isArray(value)) shown = value.join('; ') || '—';
  else if (value !== null && typeof value === 'object') shown = JSON.stringify(value);
  else shown = String(value);
  return (
    <>
      <dt>{FACT_LABELS[name] ?? name}</dt>
      <dd>{shown}</dd>
    </>
  );
}
