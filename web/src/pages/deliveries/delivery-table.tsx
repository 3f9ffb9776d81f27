import type { Delivery } from '../../api/types.ts';
import { StatusBadge } from '../../components/status-badge.tsx';
import { formatTime } from '../../format.ts';

interface DeliveryTableProps {
  deliveries: Delivery[];
  /** The name of the endpoint or canned email a delivery goes to. */
  targetName: (delivery: Delivery) => string;
  onOpen: (delivery: Delivery) => void;
}

export function DeliveryTable({ deliveries, targetName, onOpen }: DeliveryTableProps) {
  return (
    <table className="deliveries">
      <thead>
        <tr>
          <th scope="col">Delivery</th>
          <th scope="col">Created</th>
          <th scope="col">Event type</th>
          <th scope="col">Account</th>
          <th scope="col">Channel</th>
          <th scope="col">To</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id}>
            <th scope="row">
              <button type="button" className="link" onClick={() => onOpen(d)}>
                <code>{d.id}</code>
              </button>
            </th>
            <td>{formatTime(d.createdAt)}</td>
            <td>
              <code>{d.eventType}</code>
            </td>
            <td>{d.accountId ?? '—'}</td>
            <td>{d.channel}</td>
            <td>{targetName(d)}</td>
            <td>
              <StatusBadge status={d.status} />
              {d.lastError && d.status !== 'succeeded' ? (
                <div className="muted clip">{d.lastError}</div>
              ) : null}
            </td>
            <td>{d.attempts}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
