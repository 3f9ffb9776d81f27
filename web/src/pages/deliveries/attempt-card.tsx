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

function Fact({ name, value }: { name: string; value: unknown }) {
  const shown = Array.isArray(value) ? value.join(', ') || '—' : String(value);
  return (
    <>
      <dt>{name}</dt>
      <dd>{typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : shown}</dd>
    </>
  );
}
