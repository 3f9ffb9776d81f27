import { useState } from 'react';
import { apiCall, listOf } from '../../api/client.ts';
import type { CannedEmail, SmtpProfile } from '../../api/types.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { LoadState } from '../../components/load-state.tsx';
import { Modal } from '../../components/modal.tsx';
import { useResource } from '../../hooks/use-resource.ts';
import { SmtpProfileForm } from './smtp-profile-form.tsx';
import { SmtpTestSendDialog } from './smtp-test-send-dialog.tsx';
import { SmtpProfileRow } from './smtp-profile-row.tsx';

type Open = { kind: 'create' } | { kind: 'test'; profile: SmtpProfile };

/** The owner's SMTP profiles: exactly one is the default, used when an email names none. */
export function SmtpProfilesPage() {
  const profiles = useResource(() => listOf<SmtpProfile>('/smtp-profiles'), []);
  const emails = useResource(() => listOf<CannedEmail>('/email-templates'), []);
  const [open, setOpen] = useState<Open>();
  const [error, setError] = useState<unknown>();
  const close = () => setOpen(undefined);

  const makeDefault = async (profile: SmtpProfile) => {
    setError(undefined);
    try {
      await apiCall('PATCH', `/smtp-profiles/${profile.id}`, { isDefault: true });
      profiles.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const sendsThrough = (profile: SmtpProfile) =>
    (emails.data ?? []).filter((e) =>
      e.smtpProfileId ? e.smtpProfileId === profile.id : profile.isDefault,
    );

  return (
    <section aria-labelledby="smtp-title">
      <div className="page-head">
        <h1 id="smtp-title">SMTP profiles</h1>
        <button type="button" onClick={() => setOpen({ kind: 'create' })}>
          New SMTP profile
        </button>
      </div>
      <LoadState resource={profiles} />
      <ErrorNote error={error} />
      {profiles.data?.length === 0 ? (
        <p className="empty">No SMTP profiles yet. Canned emails need one to be sent.</p>
      ) : null}
      {profiles.data?.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Server</th>
              <th scope="col">TLS</th>
              <th scope="col">Sender</th>
              <th scope="col">Default</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {profiles.data.map((profile) => (
              <SmtpProfileRow
                key={profile.id}
                profile={profile}
                onMakeDefault={makeDefault}
                onTestSend={(p) => setOpen({ kind: 'test', profile: p })}
              />
            ))}
          </tbody>
        </table>
      ) : null}

      {open?.kind === 'create' ? (
        <Modal title="New SMTP profile" onClose={close} wide>
          <SmtpProfileForm
            onCancel={close}
            onSaved={() => {
              profiles.reload();
              close();
            }}
          />
        </Modal>
      ) : null}
      {open?.kind === 'test' ? (
        <SmtpTestSendDialog
          profile={open.profile}
          emails={sendsThrough(open.profile)}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
