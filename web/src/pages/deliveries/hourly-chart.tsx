import { DELIVERY_STATUSES } from '../../api/types.ts';
import type { HourBucket } from './hourly-buckets.ts';

const WIDTH = 1000;
const HEIGHT = 200;
const LEFT = 36;
const BOTTOM = 22;

const hourLabel = (ms: number) =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * Deliveries per hour as stacked bars, one colour per outcome. The same numbers are
 * in a table below it, for screen readers and for reading exact counts.
 */
export function HourlyChart({ buckets }: { buckets: HourBucket[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.total));
  const slot = (WIDTH - LEFT) / buckets.length;
  const scale = (HEIGHT - BOTTOM - 8) / max;
  const totals = DELIVERY_STATUSES.map(
    (s) => [s, buckets.reduce((n, b) => n + b.counts[s], 0)] as const,
  );
  const summary = totals.map(([s, n]) => `${n} ${s.replace('_', ' ')}`).join(', ');

  return (
    <figure className="chart">
      <figcaption>Deliveries per hour, last {buckets.length} hours, by outcome</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Deliveries per hour: ${summary}`}
      >
        <line x1={LEFT} x2={WIDTH} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} className="axis" />
        <text x={LEFT - 6} y={12} className="tick" textAnchor="end">
          {max}
        </text>
        <text x={LEFT - 6} y={HEIGHT - BOTTOM} className="tick" textAnchor="end">
          0
        </text>
        {buckets.map((bucket, i) => {
          let y = HEIGHT - BOTTOM;
          const x = LEFT + i * slot + 2;
          return (
            <g key={bucket.start}>
              {DELIVERY_STATUSES.map((status) => {
                const h = bucket.counts[status] * scale;
                if (h === 0) return null;
                y -= h;
                return (
                  <rect
                    key={status}
                    x={x}
                    y={y}
                    width={slot - 4}
                    height={h}
                    className={`bar-${status}`}
                  />
                );
              })}
              {i % 3 === 0 ? (
                <text x={x + (slot - 4) / 2} y={HEIGHT - 6} className="tick" textAnchor="middle">
                  {hourLabel(bucket.start)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul className="legend">
        {totals.map(([status, n]) => (
          <li key={status}>
            <span className={`swatch bar-${status}`} aria-hidden="true" />
            {status.replace('_', ' ')}: {n}
          </li>
        ))}
      </ul>
      <details>
        <summary>Counts per hour</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              {DELIVERY_STATUSES.map((s) => (
                <th key={s} scope="col">
                  {s.replace('_', ' ')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.start}>
                <th scope="row">{hourLabel(b.start)}</th>
                {DELIVERY_STATUSES.map((s) => (
                  <td key={s}>{b.counts[s]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
