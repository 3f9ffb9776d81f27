/** A delivery status or an on/off state, coloured by meaning and spelled out. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status.replace('_', ' ')}</span>;
}
