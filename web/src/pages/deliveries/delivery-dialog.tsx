import { useState } from 'react';
import { apiCall } from '../../api/client.ts';
import type { Delivery, DeliveryDetail } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { LoadState } from '../../components/load-state.tsx';
import { Modal } from '../../components/modal.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { formatTime } from '../../format.ts';
import { useResource } from '../../hooks/use-resource.ts';
import { AttemptCard } from './attempt-card.tsx';

interface DeliveryDialogProps {
  delivery: Delivery;
  targetName: string;
  onClose: () => void;
  /** After a resend was queued, so the log can refresh. */
  onResent: () => void;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** One delivery with every attempt, and a resend once it has finished. */
export function DeliveryDialog({ delivery, targetName, onClose, onResent }: DeliveryDialogProps) {
  const detail = useResource(
    () => apiCall<DeliveryDetail>('GET', `/deliveries/${delivery.id}`),
    [delivery.id],
  );
  const [error, setError] = useState<unknown>();
  const [resent, setResent] = useState(false);
  const shown = detail.data ?? { ...delivery, attempts: [] };

  const resend = async () => {
    setError(undefined);
    try {
      await apiCall('POST', `/deliveries/${delivery.id}/resend`, {});
      setResent(true);
      onResent();
      detail.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Modal title={`Delivery ${delivery.id}`} onClose={onClose} wide>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={shown.status} />
        </dd>
        <dt>Event</dt>
        <dd>
          <code>{shown.eventId}</code> ({shown.eventType})
        </dd>
        <dt>Account</dt>
        <dd>{shown.accountId ?? '—'}</dd>
        <dt>Channel</dt>
        <dd>
          {shown.channel} to {targetName}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(shown.createdAt)}</dd>
        <dt>Completed</dt>
        <dd>{formatTime(shown.completedAt)}</dd>
        {shown.nextAttemptAt ? (
          <>
            <dt>Next attempt</dt>
            <dd>{formatTime(shown.nextAttemptAt)}</dd>
          </>
        ) : null}
      </dl>
      <div className="actions">
        <button
          type="button"
          onClick={resend}
          disabled={!FINISHED.has(shown.status)}
          data-autofocus
        >
          Resend
        </button>
        <button type="button" className="secondary" onClick={detail.reload}>
          Refresh
        </button>
      </div>
      {resent ? (
        <p role="status" className="success">
          Queued again: Herald delivers it once more, with new attempts below.
        </p>
      ) : null}
      <ErrorNote error={error} />
      <LoadState resource={detail} />
      <h2 className="section-title">Attempts</h2>
      {detail.data && detail.data.attempts.length === 0 ? (
        <p className="muted">No attempt yet.</p>
      ) : null}
      {detail.data?.attempts.map((attempt) => (
        <AttemptCard key={attempt.number} attempt={attempt} />
      ))}
    </Modal>
  );
}
