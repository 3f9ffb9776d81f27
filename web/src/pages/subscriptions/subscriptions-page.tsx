import { useState } from 'react';
import { listOf } from '../../api/client.ts';
import type { CannedEmail, Endpoint, Subscription } from '../../api/types.ts';
import { LoadState } from '../../components/load-state.tsx';
import { Modal } from '../../components/modal.tsx';
import { useResource } from '../../hooks/use-resource.ts';
import { DeleteSubscriptionDialog } from './delete-subscription-dialog.tsx';
import { SubscriptionForm } from './subscription-form.tsx';

type Open = { kind: 'create' } | { kind: 'delete'; subscription: Subscription };

/** Subscriptions: which events reach which endpoint or canned email. */
export function SubscriptionsPage() {
  const loaded = useResource(
    () =>
      Promise.all([
        listOf<Subscription>('/subscriptions'),
        listOf<Endpoint>('/endpoints'),
        listOf<CannedEmail>('/email-templates'),
      ]),
    [],
  );
  const [open, setOpen] = useState<Open>();
  const close = () => setOpen(undefined);
  const [subscriptions, endpoints, emails] = loaded.data ?? [[], [], []];

  const targetOf = (s: Subscription) => {
    if (s.endpointId) {
      const name = endpoints.find((e) => e.id === s.endpointId)?.name ?? s.endpointId;
      return `Webhook: ${name}`;
    }
    const name = emails.find((e) => e.id === s.emailTemplateId)?.name ?? s.emailTemplateId;
    return `Email: ${name}`;
  };

  return (
    <section aria-labelledby="subscriptions-title">
      <div className="page-head">
        <h1 id="subscriptions-title">Subscriptions</h1>
        <button type="button" onClick={() => setOpen({ kind: 'create' })} disabled={!loaded.data}>
          New subscription
        </button>
      </div>
      <LoadState resource={loaded} />
      {loaded.data && subscriptions.length === 0 ? (
        <p className="empty">No subscriptions yet: no event reaches an endpoint or an email.</p>
      ) : null}
      {subscriptions.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Notifies</th>
              <th scope="col">Event types</th>
              <th scope="col">Filter</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {subscriptions.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name || s.id}</th>
                <td>{targetOf(s)}</td>
                <td>{s.eventTypes.join(', ')}</td>
                <td>{s.filter ? <code>{JSON.stringify(s.filter)}</code> : '—'}</td>
                <td>
                  <div className="row-actions">
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setOpen({ kind: 'delete', subscription: s })}
                    >
                      Delete<span className="visually-hidden"> {s.name || s.id}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {open?.kind === 'create' ? (
        <Modal title="New subscription" onClose={close} wide>
          <SubscriptionForm
            endpoints={endpoints}
            emails={emails}
            onCancel={close}
            onSaved={() => {
              loaded.reload();
              close();
            }}
          />
        </Modal>
      ) : null}
      {open?.kind === 'delete' ? (
        <DeleteSubscriptionDialog
          subscription={open.subscription}
          onClose={close}
          onDeleted={() => {
            loaded.reload();
            close();
          }}
        />
      ) : null}
    </section>
  );
}
