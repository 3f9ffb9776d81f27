import { useState } from 'react';
import { apiCall, listOf } from '../../api/client.ts';
import type { Endpoint, EndpointWithSecret, Subscription } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { LoadState } from '../../components/load-state.tsx';
import { Modal } from '../../components/modal.tsx';
import { SecretReveal } from '../../components/secret-reveal.tsx';
import { useResource } from '../../hooks/use-resource.ts';
import { EndpointForm } from './endpoint-form.tsx';
import { EndpointRow, type EndpointAction } from './endpoint-row.tsx';
import { RotateSecretDialog } from './rotate-secret-dialog.tsx';
import { TestEventDialog } from './test-event-dialog.tsx';

type Open =
  | { kind: 'create' }
  | { kind: 'created'; endpoint: EndpointWithSecret }
  | { kind: 'edit' | 'rotate' | 'test'; endpoint: Endpoint };

/** The owner's webhook endpoints, and everything an operator does to one. */
export function EndpointsPage() {
  const endpoints = useResource(() => listOf<Endpoint>('/endpoints'), []);
  const subscriptions = useResource(() => listOf<Subscription>('/subscriptions'), []);
  const [open, setOpen] = useState<Open>();
  const [error, setError] = useState<unknown>();
  const close = () => setOpen(undefined);

  const onAction = async (action: EndpointAction, endpoint: Endpoint) => {
    if (action !== 'toggle') return setOpen({ kind: action, endpoint });
    setError(undefined);
    try {
      await apiCall('PATCH', `/endpoints/${endpoint.id}`, { enabled: !endpoint.enabled });
      endpoints.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  const saved = (endpoint: Endpoint | EndpointWithSecret) => {
    endpoints.reload();
    setOpen('secret' in endpoint ? { kind: 'created', endpoint } : undefined);
  };

  return (
    <section aria-labelledby="endpoints-title">
      <div className="page-head">
        <h1 id="endpoints-title">Endpoints</h1>
        <button type="button" onClick={() => setOpen({ kind: 'create' })}>
          New endpoint
        </button>
      </div>
      <LoadState resource={endpoints} />
      <ErrorNote error={error} />
      {endpoints.data?.length === 0 ? (
        <p className="empty">No webhook endpoints yet. Create one to receive events over HTTPS.</p>
      ) : null}
      {endpoints.data?.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Event types</th>
              <th scope="col">Ordering</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.map((endpoint) => (
              <EndpointRow key={endpoint.id} endpoint={endpoint} onAction={onAction} />
            ))}
          </tbody>
        </table>
      ) : null}

      {open?.kind === 'create' || open?.kind === 'edit' ? (
        <Modal
          title={open.kind === 'edit' ? `Edit ${open.endpoint.name}` : 'New endpoint'}
          onClose={close}
          wide
        >
          <EndpointForm
            endpoint={open.kind === 'edit' ? open.endpoint : undefined}
            onSaved={saved}
            onCancel={close}
          />
        </Modal>
      ) : null}
      {open?.kind === 'created' ? (
        <Modal title={`Endpoint ${open.endpoint.name} created`} onClose={close}>
          <SecretReveal label="Its signing secret." secret={open.endpoint.secret} />
          <p className="muted">The receiver verifies each webhook's signature with it.</p>
          <div className="actions">
            <button type="button" onClick={close}>
              Done
            </button>
          </div>
        </Modal>
      ) : null}
      {open?.kind === 'rotate' ? (
        <RotateSecretDialog endpoint={open.endpoint} onClose={close} />
      ) : null}
      {open?.kind === 'test' ? (
        <TestEventDialog
          endpoint={open.endpoint}
          subscribed={Boolean(subscriptions.data?.some((s) => s.endpointId === open.endpoint.id))}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
