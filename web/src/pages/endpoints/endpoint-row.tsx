import type { Endpoint } from '../../api/types.ts';
import { StatusBadge } from '../../components/status-badge.tsx';

export type EndpointAction = 'edit' | 'toggle' | 'rotate' | 'test';

interface EndpointRowProps {
  endpoint: Endpoint;
  onAction: (action: EndpointAction, endpoint: Endpoint) => void;
}

export function EndpointRow({ endpoint, onAction }: EndpointRowProps) {
  const act = (action: EndpointAction) => () => onAction(action, endpoint);
  return (
    <tr>
      <th scope="row">{endpoint.name}</th>
      <td className="url">{endpoint.url}</td>
      <td>
        <ul className="plain">
          {endpoint.eventTypes.map((t) => (
            <li key={t}>
              <code>{t}</code>
            </li>
          ))}
        </ul>
      </td>
      <td>{endpoint.ordering}</td>
      <td>
        <StatusBadge status={endpoint.enabled ? 'enabled' : 'disabled'} />
        {endpoint.disabledReason ? <div className="muted">{endpoint.disabledReason}</div> : null}
      </td>
      <td>
        <div className="row-actions">
          <button type="button" className="secondary" onClick={act('edit')}>
            Edit<span className="visually-hidden"> {endpoint.name}</span>
          </button>
          <button type="button" className="secondary" onClick={act('toggle')}>
            {endpoint.enabled ? 'Disable' : 'Enable'}
            <span className="visually-hidden"> {endpoint.name}</span>
          </button>
          <button type="button" className="secondary" onClick={act('rotate')}>
            Rotate secret<span className="visually-hidden"> of {endpoint.name}</span>
          </button>
          <button type="button" className="secondary" onClick={act('test')}>
            Send test event<span className="visually-hidden"> to {endpoint.name}</span>
          </button>
        </div>
      </td>
    </tr>
  );
}
