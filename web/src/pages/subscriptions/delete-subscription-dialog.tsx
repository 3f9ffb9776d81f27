import { useState } from 'react';
import { apiCall } from '../../api/client.ts';
import type { Subscription } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Modal } from '../../components/modal.tsx';

interface DeleteSubscriptionDialogProps {
  subscription: Subscription;
  onClose: () => void;
  onDeleted: () => void;
}

export function DeleteSubscriptionDialog(props: DeleteSubscriptionDialogProps) {
  const { subscription, onClose, onDeleted } = props;
  const [error, setError] = useState<unknown>();
  const remove = async () => {
    try {
      await apiCall('DELETE', `/subscriptions/${subscription.id}`);
      onDeleted();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Modal title="Delete this subscription?" onClose={onClose}>
      <p>
        Events of {subscription.eventTypes.join(', ')} will no longer be sent through it. Deliveries
        already queued are not withdrawn.
      </p>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" className="danger" onClick={remove}>
          Delete subscription
        </button>
        <button type="button" className="secondary" onClick={onClose} data-autofocus>
          Keep it
        </button>
      </div>
    </Modal>
  );
}
