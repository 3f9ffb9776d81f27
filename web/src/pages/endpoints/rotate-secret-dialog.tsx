import { useState } from 'react';
import { apiCall } from '../../api/client.ts';
import type { Endpoint, EndpointWithSecret } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Modal } from '../../components/modal.tsx';
import { SecretReveal } from '../../components/secret-reveal.tsx';
import { formatTime } from '../../format.ts';

/** Asks first, then rotates the signing secret and shows the new one once. */
export function RotateSecretDialog({
  endpoint,
  onClose,
}: {
  endpoint: Endpoint;
  onClose: () => void;
}) {
  const [rotated, setRotated] = useState<EndpointWithSecret>();
  const [error, setError] = useState<unknown>();

  const rotate = async () => {
    try {
      setRotated(
        await apiCall<EndpointWithSecret>('POST', `/endpoints/${endpoint.id}/rotate-secret`, {}),
      );
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Modal title={`Rotate the secret of ${endpoint.name}`} onClose={onClose}>
      {rotated ? (
        <>
          <SecretReveal label="The new signing secret." secret={rotated.secret} />
          <p className="muted">
            Herald signs with the old secret too until {formatTime(rotated.previousSecretsExpireAt)}
            , so the receiver can switch over.
          </p>
          <div className="actions">
            <button type="button" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            Herald makes a new signing secret. For a day, every webhook carries signatures of both
            the old and the new secret.
          </p>
          <ErrorNote error={error} />
          <div className="actions">
            <button type="button" onClick={rotate} data-autofocus>
              Rotate secret
            </button>
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
          </div>
        </>
      )}
    </Modal>
  );
}
